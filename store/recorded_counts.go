package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"cyberkg/errs"
	"cyberkg/kg"
)

// Counts at record time t (recorded.go has the model): the live counts'
// Cypher over what held live then, plus the superseded versions that held
// then, grouped in Go by the same keys.

// EntityCountsAt is EntityCounts at record time t.
func (s *Store) EntityCountsAt(ctx context.Context, f EntityFilter, by string, t time.Time) ([]GroupCount, error) {
	if _, ok := entityGroups[by]; !ok {
		return nil, errs.Invalidf("groupBy: unknown grouping %q", by)
	}
	f, empty, err := s.idsAt(ctx, f, t)
	if err != nil || empty {
		return []GroupCount{}, err
	}
	live := f
	live.heldAt = t
	counts, err := s.EntityCounts(ctx, live, by)
	if err != nil {
		return nil, err
	}
	old, err := s.supersededEntities(ctx, f, t)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(old))
	for i, e := range old {
		keys[i] = string(e.Kind)
		if by == "YEAR" {
			keys[i] = year(e.Start)
		}
	}
	return addCounts(counts, keys, by), nil
}

// RelationshipCountsAt is RelationshipCounts at record time t.
func (s *Store) RelationshipCountsAt(ctx context.Context, f RelFilter, by string, t time.Time) ([]GroupCount, error) {
	live := f
	live.heldAt = t
	counts, err := s.RelationshipCounts(ctx, live, by)
	if err != nil {
		return nil, err
	}
	old, err := s.supersededRelationships(ctx, f, t)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(old))
	for i, r := range old {
		switch by {
		case "TYPE":
			keys[i] = string(r.Type)
		case "CONFIDENCE":
			keys[i] = string(r.Confidence)
		default:
			keys[i] = year(r.Start)
		}
	}
	return addCounts(counts, keys, by), nil
}

// DegreeAt is Degree at record time t: entity id's relationships then.
func (s *Store) DegreeAt(ctx context.Context, id string, f RelFilter, t time.Time) ([]GroupCount, error) {
	byID, _, err := s.RelationshipsOfAt(ctx, All, []string{id}, f, t)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, r := range byID[id] {
		keys = append(keys, string(r.Type))
	}
	return addCounts(nil, keys, "TYPE"), nil
}

func year(d kg.Date) string {
	if d.IsZero() {
		return ""
	}
	return strconv.Itoa(d.Year)
}

// addCounts adds one to the group of each key and orders the groups as
// groupOrder does: years ascending, no year last; others largest first.
func addCounts(counts []GroupCount, keys []string, by string) []GroupCount {
	for _, k := range keys {
		i := slices.IndexFunc(counts, func(c GroupCount) bool { return c.Key == k })
		if i < 0 {
			counts = append(counts, GroupCount{Key: k})
			i = len(counts) - 1
		}
		counts[i].Count++
	}
	if len(keys) == 0 {
		return counts // Neo4j's order already
	}
	slices.SortStableFunc(counts, func(a, b GroupCount) int {
		if by == "YEAR" {
			if a.Key == "" || b.Key == "" {
				return boolCmp(a.Key == "", b.Key == "")
			}
			return strings.Compare(a.Key, b.Key)
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
	return counts
}
