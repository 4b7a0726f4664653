package store

import (
	"context"

	"cyberkg/errs"
)

// GroupCount is the size of one group; Key is empty for "no year".
type GroupCount struct {
	Key   string
	Count int
}

// entityGroups and relationshipGroups map a grouping to the Cypher
// expression it groups by: only these are spliced.
var (
	entityGroups = map[string]string{
		"KIND": "n.kind",
		"YEAR": "toString(n.startFirst.year)",
	}
	relationshipGroups = map[string]string{
		"TYPE":       "type(r)",
		"CONFIDENCE": "r.confidence",
		"YEAR":       "toString(r.startFirst.year)",
	}
)

// EntityCounts counts the entities that pass f by group: years in order
// (undated last), other groups largest first.
func (s *Store) EntityCounts(ctx context.Context, f EntityFilter, by string) ([]GroupCount, error) {
	key, ok := entityGroups[by]
	if !ok {
		return nil, errs.Invalidf("groupBy: unknown grouping %q", by)
	}
	source, where, params := entityQuery(f)
	return s.groupCounts(ctx, "store.EntityCounts", source+` WHERE `+where+` WITH `+key+` AS key, count(*) AS count`+groupOrder(by), params)
}

// RelationshipCounts counts the relationships that pass f by group.
func (s *Store) RelationshipCounts(ctx context.Context, f RelFilter, by string) ([]GroupCount, error) {
	key, ok := relationshipGroups[by]
	if !ok {
		return nil, errs.Invalidf("groupBy: unknown grouping %q", by)
	}
	if f.Other != nil || (f.Direction != "" && f.Direction != Both) {
		return nil, errs.Invalidf("where: direction and other need an entity to be relative to")
	}
	label, params, cond, err := rootRelFilter(f)
	if err != nil {
		return nil, err
	}
	return s.groupCounts(ctx, "store.RelationshipCounts", `MATCH ()-[r`+label+`]->() WHERE `+cond+` WITH `+key+` AS key, count(*) AS count`+groupOrder(by), params)
}

// Degree counts the relationships of entity id that pass f, by type,
// largest first.
func (s *Store) Degree(ctx context.Context, id string, f RelFilter) ([]GroupCount, error) {
	ds, err := s.Degrees(ctx, []string{id}, f)
	return ds[id], err
}

// Degrees is Degree of several entities at once, in one query; an entity
// with no relationship passing f is absent.
func (s *Store) Degrees(ctx context.Context, ids []string, f RelFilter) (map[string][]GroupCount, error) {
	pattern, params, err := relParams(f)
	if err != nil {
		return nil, err
	}
	params["ids"] = uniq(ids)
	cypher := `MATCH ` + pattern + ` WHERE n.id IN $ids AND ` + relFilter(f) + `
		WITH n.id AS id, type(r) AS key, count(*) AS count RETURN id, key, count ORDER BY id, count DESC, key`
	out := make(map[string][]GroupCount, len(ids))
	recs, err := s.readOne(ctx, "store.Degrees", cypher, params)
	for _, rec := range recs {
		id, _ := rec.Values[0].(string)
		k, _ := rec.Values[1].(string)
		out[id] = append(out[id], GroupCount{Key: k, Count: int(rec.Values[2].(int64))})
	}
	return out, err
}

func groupOrder(by string) string {
	if by == "YEAR" {
		return ` RETURN key, count ORDER BY key`
	}
	return ` RETURN key, count ORDER BY count DESC, key`
}

func (s *Store) groupCounts(ctx context.Context, op, cypher string, params map[string]any) ([]GroupCount, error) {
	var out []GroupCount
	recs, err := s.readOne(ctx, op, cypher, params)
	for _, rec := range recs {
		k, _ := rec.Values[0].(string)
		out = append(out, GroupCount{Key: k, Count: int(rec.Values[1].(int64))})
	}
	return out, err
}
