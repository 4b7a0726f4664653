package store_test

import (
	"context"
	"sort"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// Users type names as they remember them: in any case, with or without
// accents and punctuation, misspelled, or with Lucene syntax in them.
func TestSearchIsTolerant(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	tests := []struct{ text, want string }{
		{"qualcom", "qualcomm"},
		{"QUALCOMM", "qualcomm"},
		{"snowdon", "edward-snowden"},
		{"unit 61398", "pla-unit-61398"},
		{"Unit-61398!", "pla-unit-61398"},
		{"westinghuose", "westinghouse"},
		{"Wéstinghouse", "westinghouse"},
		{"OPM", "opm"},
		{"kaspersky", "kaspersky-lab"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			hits, err := s.Search(context.Background(), store.All, tt.text, nil, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Entity.ID != tt.want {
				t.Errorf("search %q: got %v, want %s first", tt.text, ids(hits), tt.want)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("hits not best first: %v", hits)
				}
			}
		})
	}
}

func TestSearchTreatsLuceneSyntaxAsText(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	for _, text := range []string{`apple AND (`, `"unterminated`, `name:apple~~ ^3 \`, `OR`, `*apple*`, `a/b[c]{d}`, `the`, `of the`, `a`} {
		if _, err := s.Search(context.Background(), store.All, text, nil, 5); err != nil {
			t.Errorf("search %q: %v", text, err)
		}
	}
}

func TestSearchFiltersByKind(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	hits, err := s.Search(context.Background(), store.All, "qualcomm", []kg.Kind{kg.Event}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		t.Fatal("no Qualcomm events found")
	}
	for _, h := range hits {
		if h.Entity.Kind != kg.Event {
			t.Errorf("kind filter EVENT returned %s %s", h.Entity.Kind, h.Entity.ID)
		}
	}
}

// A kind filter narrows what search finds without changing how it ranks:
// each hit scores what it scores unfiltered, and Lucene, which now filters
// before it keeps its best candidates, finds events that an unfiltered
// search of the same size leaves out.
func TestSearchByKindKeepsScores(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ctx := context.Background()
	for _, text := range []string{"qualcomm", "china cyber", "snowden disclosures"} {
		all, err := s.Search(ctx, store.All, text, nil, 200)
		if err != nil {
			t.Fatal(err)
		}
		score := map[string]float64{}
		for _, h := range all {
			score[h.Entity.ID] = h.Score
		}
		for _, k := range []kg.Kind{kg.Event, kg.Firm, kg.Law} {
			hits, err := s.Search(ctx, store.All, text, []kg.Kind{k}, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				if h.Entity.Kind != k {
					t.Errorf("search %q for %s found %s %s", text, k, h.Entity.Kind, h.Entity.ID)
				}
				if want, ok := score[h.Entity.ID]; ok && want != h.Score {
					t.Errorf("search %q for %s: %s scores %v, unfiltered %v", text, k, h.Entity.ID, h.Score, want)
				}
			}
		}
	}
	if _, err := s.Search(ctx, store.All, "qualcomm", []kg.Kind{"FIRM) OR name:(x"}, 10); err == nil {
		t.Error("an unknown kind was searched for")
	}
}

// A graph whose search index an older version made (without the kind) gets
// the current one at the next start.
func TestApplySchemaRemakesAnOldSearchIndex(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ctx := context.Background()
	s.RunSchemaForTest(t, "DROP INDEX "+store.SearchIndex)
	s.RunSchemaForTest(t, "CREATE FULLTEXT INDEX "+store.SearchIndex+" FOR (n:Entity) ON EACH [n.name, n.aliasText, n.description]")
	if err := s.ApplySchema(ctx); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, store.All, "qualcomm", []kg.Kind{kg.Firm}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Entity.ID != "qualcomm" {
		t.Errorf("search for the firm Qualcomm after the index was remade: %v", ids(hits))
	}
}

// Pages cover the list exactly once, in order, with a stable total.
func TestEntitiesPagesAreStableAndComplete(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	var seen []string
	for offset := 0; ; offset += 40 {
		p, err := s.Entities(ctx, store.All, store.EntityFilter{}, store.EntityOrder{Field: "ID"}, offset, 40, true)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != len(ds.Entities) {
			t.Fatalf("total = %d, want %d", p.Total, len(ds.Entities))
		}
		for _, e := range p.Items {
			seen = append(seen, e.ID)
		}
		if len(p.Items) < 40 {
			break
		}
	}
	if len(seen) != len(ds.Entities) || !sort.StringsAreSorted(seen) {
		t.Errorf("paging saw %d entities (sorted: %v), want %d", len(seen), sort.StringsAreSorted(seen), len(ds.Entities))
	}
}

func TestEntitiesFilters(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ctx := context.Background()
	mustDate := func(v string) kg.Date { d, _ := kg.ParseDate(v); return d }
	tests := []struct {
		name  string
		f     store.EntityFilter
		check func(kg.Entity) bool
		has   string
	}{
		{"name or alias", store.EntityFilter{NameContains: "qualcom"}, nil, "qualcomm"},
		{"kind", store.EntityFilter{Kinds: []kg.Kind{kg.Law}}, func(e kg.Entity) bool { return e.Kind == kg.Law }, "cybersecurity-law-article-37"},
		{"date range across precisions", store.EntityFilter{StartFrom: mustDate("2015-02"), StartTo: mustDate("2015")},
			func(e kg.Entity) bool { return e.Start.Year == 2015 && e.Start.First().Month() >= 2 }, "us-china-cyber-agreement-2015"},
		{"related to", store.EntityFilter{RelatedTo: "qualcomm-antitrust-fine"}, nil, "qualcomm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Entities(ctx, store.All, tt.f, store.EntityOrder{Field: "NAME"}, 0, 100, true)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range p.Items {
				found = found || e.ID == tt.has
				if tt.check != nil && !tt.check(e) {
					t.Errorf("%s (start %s) passed the filter", e.ID, e.Start)
				}
			}
			if !found {
				t.Errorf("%s missing from %d results", tt.has, len(p.Items))
			}
		})
	}
}

func ids(hits []store.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Entity.ID)
	}
	return out
}
