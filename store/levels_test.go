package store_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// LevelsOf's one nested query must give each entity, at each level, what
// RelationshipsOf gives it, and reach the entities the level-by-level
// fetch would reach: the far ends of each level, and each entity itself as
// an end of its own relationships.
func TestLevelsOfGivesWhatRelationshipsOfGivesLevelByLevel(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ctx := context.Background()
	date2015, err := kg.ParseDate("2015")
	if err != nil {
		t.Fatal(err)
	}
	out := func(types ...kg.RelType) store.RelFilter {
		return store.RelFilter{Types: types, Direction: store.Outgoing}
	}
	both := store.RelFilter{Direction: store.Both}
	trees := map[string][]store.Level{
		"one level":                 {{Filter: both, Limit: 4}},
		"two levels the same":       {{Filter: out(), Limit: 3, Next: []store.Level{{Filter: out(), Limit: 3}}}},
		"three levels, two filters": {{Filter: both, Limit: 5, Next: []store.Level{{Filter: store.RelFilter{Direction: store.Incoming}, Limit: 2, Next: []store.Level{{Filter: both, Limit: 2}}}}}},
		"in force on a date":        {{Filter: store.RelFilter{Direction: store.Both, AsOf: date2015}, Limit: 6, Next: []store.Level{{Filter: both, Limit: 1}}}},
		"siblings":                  {{Filter: out("DEMANDED", "REVIEWED"), Limit: 3}, {Filter: store.RelFilter{Direction: store.Incoming}, Limit: 2}},
	}
	ids := []string{"china", "qualcomm", "edward-snowden", "snowden-revelations", "doj-indictment-2014"}
	for name, levels := range trees {
		t.Run(name, func(t *testing.T) {
			pages, ends, err := s.LevelsOf(ctx, store.All, ids, levels)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, p := range pages {
				want, _, err := s.RelationshipsOf(ctx, store.All, []string{p.ID}, p.Filter, p.Limit)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(p.Items, nonNil(want[p.ID])) {
					t.Errorf("%s at %+v (first %d): got %v, want %v", p.ID, p.Filter, p.Limit, relIDs(p.Items), relIDs(want[p.ID]))
				}
				got[pageKey(p.ID, p.Filter, p.Limit)] = true
			}
			// Level by level, as the loaders' prefetch walks it.
			var walk func(ids []string, levels []store.Level)
			walk = func(ids []string, levels []store.Level) {
				for _, lv := range levels {
					byID, _, err := s.RelationshipsOf(ctx, store.All, ids, lv.Filter, lv.Limit)
					if err != nil {
						t.Fatal(err)
					}
					var next []string
					for _, id := range ids {
						if !got[pageKey(id, lv.Filter, lv.Limit)] {
							t.Errorf("no page for %s at %+v (first %d)", id, lv.Filter, lv.Limit)
						}
						for _, r := range byID[id] {
							next = append(next, r.From, r.To)
						}
					}
					walk(next, lv.Next)
				}
			}
			walk(ids, levels)
			for _, e := range ends {
				if e.ID == "" || e.Kind == "" {
					t.Errorf("an end without its id or kind: %+v", e)
				}
			}
		})
	}
}

func pageKey(id string, f store.RelFilter, limit int) string {
	return id + "|" + string(f.Direction) + "|" + f.AsOf.String() + "|" + relTypesKey(f.Types) + "|" + strconv.Itoa(limit)
}

func relTypesKey(ts []kg.RelType) string {
	s := ""
	for _, t := range ts {
		s += string(t) + ","
	}
	return s
}

func relIDs(rs []kg.Relationship) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func nonNil(rs []kg.Relationship) []kg.Relationship {
	if rs == nil {
		return []kg.Relationship{}
	}
	return rs
}

// A page with its levels is the page Entities gives, and each level page
// what RelationshipsOf gives, in the one query.
func TestEntitiesWithLevelsIsThePageAndItsLevels(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ctx := context.Background()
	levels := []store.Level{{Filter: store.RelFilter{Direction: store.Both}, Limit: 3,
		Next: []store.Level{{Filter: store.RelFilter{Direction: store.Outgoing}, Limit: 2}}}}
	f := store.EntityFilter{Kinds: []kg.Kind{kg.Firm, kg.State}}
	order := store.EntityOrder{Field: "NAME"}
	want, err := s.Entities(ctx, store.All, f, order, 2, 7, true)
	if err != nil {
		t.Fatal(err)
	}
	page, pages, _, err := s.EntitiesWithLevels(ctx, store.All, f, order, 2, 7, true, levels)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(page, want) {
		t.Errorf("page with levels:\n%+v\nwant\n%+v", page, want)
	}
	seen := map[string]bool{}
	for _, p := range pages {
		rels, _, err := s.RelationshipsOf(ctx, store.All, []string{p.ID}, p.Filter, p.Limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p.Items, nonNil(rels[p.ID])) {
			t.Errorf("%s at %+v: got %v, want %v", p.ID, p.Filter, relIDs(p.Items), relIDs(rels[p.ID]))
		}
		seen[p.ID] = true
	}
	for _, e := range want.Items {
		if !seen[e.ID] {
			t.Errorf("no level page for %s", e.ID)
		}
	}
	if len(pages) <= len(want.Items) {
		t.Errorf("only %d pages for %d entities and two levels", len(pages), len(want.Items))
	}
}
