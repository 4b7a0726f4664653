package store

import (
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
)

// The analysts' filters: conditions on a relationship's claimants, sources
// and dates, on the entity at its far end, and on an entity's relationships
// (some pass, none pass), nested as deep as a request writes them. Values
// are parameters named by a counter, so that building the same filter twice
// names them the same; types are spliced only from the closed vocabulary.

// conds builds Cypher conditions and collects their parameters.
type conds struct {
	prefix string
	n      int
	params map[string]any
}

func newConds(prefix string) *conds { return &conds{prefix: prefix, params: map[string]any{}} }

// param names v as a fresh parameter.
func (c *conds) param(v any) string {
	c.n++
	name := fmt.Sprintf("%s%d", c.prefix, c.n)
	c.params[name] = v
	return "$" + name
}

// variable is a fresh Cypher variable.
func (c *conds) variable(base string) string {
	c.n++
	return fmt.Sprintf("%s_%s%d", base, c.prefix, c.n)
}

// analystConds is the condition on relationship r (with far end m) of f's
// analysts' fields, and its parameters: the part relFilter and relParams
// add to the original type, direction, asOf and confidence.
func (f RelFilter) analystConds() (string, map[string]any, error) {
	c := newConds("rf")
	list, err := c.relAnalyst(f, "r", "m")
	return strings.Join(list, " AND "), c.params, err
}

// relAnalyst is the conditions of f's analysts' fields on r, whose far end
// is m.
func (c *conds) relAnalyst(f RelFilter, r, m string) ([]string, error) {
	var out []string
	if len(f.ClaimedBy) > 0 {
		out = append(out, `any(x IN coalesce(`+r+`.claimedBy, []) WHERE x IN `+c.param(f.ClaimedBy)+`)`)
	}
	if len(f.Sources) > 0 {
		out = append(out, `any(x IN coalesce(`+r+`.sources, []) WHERE x IN `+c.param(f.Sources)+`)`)
	}
	if f.Stance != "" {
		// A relationship written before stances were stored has only
		// supporting evidence (the migration in schema.go fills them in).
		out = append(out, c.param(string(f.Stance))+` IN coalesce(`+r+`.stances, ['SUPPORTS'])`)
	}
	if !f.StartFrom.IsZero() {
		out = append(out, r+`.startFirst >= `+c.param(dateParam(f.StartFrom)))
	}
	if !f.StartTo.IsZero() {
		out = append(out, r+`.startFirst <= `+c.param(neo4j.DateOf(f.StartTo.Last())))
	}
	if f.Other != nil {
		list, err := c.entity(*f.Other, m)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// rel is every condition of f on r, with far end m: what relFilter tests
// at the top, here with parameters of their own for nested filters.
func (c *conds) rel(f RelFilter, r, m string) ([]string, error) {
	var out []string
	if len(f.Confidences) > 0 {
		levels := make([]string, len(f.Confidences))
		for i, l := range f.Confidences {
			levels[i] = string(l)
		}
		out = append(out, r+`.confidence IN `+c.param(levels))
	}
	if !f.AsOf.IsZero() {
		at := c.param(dateParam(f.AsOf))
		out = append(out, `((`+r+`.validFrom IS NULL OR `+r+`.validFrom <= `+at+`) AND (`+r+`.endFirst IS NULL OR `+r+`.endFirst > `+at+`))`)
	}
	more, err := c.relAnalyst(f, r, m)
	return append(out, more...), err
}

// entityAnalyst is the conditions of the analysts' fields of f on entity v.
func (c *conds) entityAnalyst(f EntityFilter, v string) []string {
	list, err := c.entityRels(f, v)
	if err != nil {
		// Only an unknown type fails, and the resolvers' enums admit none.
		return []string{"false"}
	}
	if len(f.IDs) > 0 {
		list = append(list, v+`.id IN `+c.param(f.IDs))
	}
	return list
}

// entityRels is f's conditions on v's relationships: some pass Some, none
// pass None.
func (c *conds) entityRels(f EntityFilter, v string) ([]string, error) {
	var out []string
	for _, q := range []struct {
		rf  *RelFilter
		not string
	}{{f.Some, ""}, {f.None, "NOT "}} {
		if q.rf == nil {
			continue
		}
		types, err := typeLabel(q.rf.Types)
		if err != nil {
			return nil, err
		}
		r, m := c.variable("r"), c.variable("m")
		where, err := c.rel(*q.rf, r, m)
		if err != nil {
			return nil, err
		}
		cond := ""
		if len(where) > 0 {
			cond = ` WHERE ` + strings.Join(where, " AND ")
		}
		out = append(out, q.not+`EXISTS { MATCH `+arrow(q.rf.Direction, v, r, m+":Entity", types)+cond+` }`)
	}
	return out, nil
}

// entity is every condition of f on entity v, for filters nested in a
// relationship filter (the top level's are entityQuery's).
func (c *conds) entity(f EntityFilter, v string) ([]string, error) {
	var out []string
	if len(f.Kinds) > 0 {
		out = append(out, v+`.kind IN `+c.param(kindStrings(f.Kinds)))
	}
	if f.NameContains != "" {
		p := c.param(strings.ToLower(f.NameContains))
		out = append(out, `(toLower(`+v+`.name) CONTAINS `+p+` OR any(a IN `+v+`.aliases WHERE toLower(a) CONTAINS `+p+`))`)
	}
	if !f.StartFrom.IsZero() {
		out = append(out, v+`.startFirst >= `+c.param(dateParam(f.StartFrom)))
	}
	if !f.StartTo.IsZero() {
		out = append(out, v+`.startFirst <= `+c.param(neo4j.DateOf(f.StartTo.Last())))
	}
	if f.Dated {
		out = append(out, v+`.startFirst IS NOT NULL`)
	}
	if f.RelatedTo != "" {
		out = append(out, `EXISTS { (`+v+`)--(:Entity {id: `+c.param(f.RelatedTo)+`}) }`)
	}
	if len(f.Involving) > 0 {
		p := c.param(f.Involving)
		out = append(out, `(`+v+`.id IN `+p+` OR EXISTS { MATCH (`+v+`)--(x:Entity) WHERE x.id IN `+p+` })`)
	}
	if len(f.IDs) > 0 {
		out = append(out, v+`.id IN `+c.param(f.IDs))
	}
	rels, err := c.entityRels(f, v)
	return append(out, rels...), err
}

// CheckTraversal refuses what a path search cannot test hop by hop: a
// condition on the far end of each relationship.
func (f RelFilter) CheckTraversal(field string) error {
	if f.Other != nil {
		return errs.Invalidf("%s: where.other is not supported here: a path's hops are tested one relationship at a time", field)
	}
	return nil
}
