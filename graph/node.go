package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cyberkg/errs"
	"cyberkg/graph/loader"
	"cyberkg/graph/model"
	"cyberkg/kg"
	"cyberkg/store"
)

// nodeKind is one kind of object that node(id:) and nodes(ids:) can return.
// Ids are unique across kinds (kg's validation refuses a dataset where they
// are not), so an id is the object of the first kind that claims its shape
// and has it. A new kind (a source, a change) joins by adding itself to
// nodeKinds: its shape test, cheap and allowed to overlap others', and a
// batched lookup.
type nodeKind struct {
	name   string
	claims func(id string) bool
	load   func(ctx context.Context, s *store.Store, ids []string) (map[string]model.Node, error)
}

var nodeKinds = []nodeKind{
	// A change's id is "change-<seq>" (kg.IsChangeID), which no entity may
	// have (kg's validation refuses one).
	{"change", kg.IsChangeID, loadChangeNodes},
	// A source's Node id is "source:<slug>" (kg.IsSourceNodeID), which no
	// slug is and kg's validation refuses a relationship.
	{"source", kg.IsSourceNodeID, loadSourceNodes},
	{"entity", kg.ValidID, loadEntityNodes},
	// Relationship ids are mostly "<from>--<type>--<to>", which no entity
	// slug is, but may be any id an import gave them: every id entities do
	// not have is asked for.
	{"relationship", func(string) bool { return true }, loadRelationshipNodes},
}

func loadEntityNodes(ctx context.Context, s *store.Store, ids []string) (map[string]model.Node, error) {
	l := loader.For(ctx)
	if t, ok := loader.RecordedAt(ctx); ok {
		es, _ := l.EntitiesAt(ctx, ids, t) // an error is an id not held then: absent, as live
		out := make(map[string]model.Node, len(es))
		for _, e := range es {
			if e != nil {
				out[e.ID] = model.NewEntity(e)
			}
		}
		return out, nil
	}
	found, err := s.EntitiesByID(ctx, reads(ctx), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Node, len(found))
	es := make([]kg.Entity, 0, len(found))
	for _, e := range found {
		es = append(es, e)
	}
	l.Prime(es...)
	for i := range es {
		out[es[i].ID] = model.NewEntity(&es[i])
	}
	return out, nil
}

func loadRelationshipNodes(ctx context.Context, s *store.Store, ids []string) (map[string]model.Node, error) {
	var found map[string]kg.Relationship
	var err error
	if t, ok := loader.RecordedAt(ctx); ok {
		found, err = s.RelationshipsByIDAt(ctx, reads(ctx), ids, t)
	} else {
		found, err = s.RelationshipsByID(ctx, reads(ctx), ids)
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Node, len(found))
	for id, r := range found {
		out[id] = &r
	}
	return out, nil
}

func loadChangeNodes(ctx context.Context, s *store.Store, ids []string) (map[string]model.Node, error) {
	found, err := s.ChangesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Node, len(found))
	for id, c := range found {
		out[id] = changeOf(c)
	}
	return out, nil
}

func loadSourceNodes(ctx context.Context, s *store.Store, ids []string) (map[string]model.Node, error) {
	slugs := make([]string, len(ids))
	for i, id := range ids {
		slugs[i] = kg.SourceSlug(id)
	}
	found, err := s.SourcesByID(ctx, slugs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Node, len(found))
	for slug, src := range found {
		out[kg.SourceNodeID(slug)] = sourceOf(src)
	}
	return out, nil
}

// lookupNodes finds the objects with the given ids, one query per kind that
// claims any of them; ids no kind has are absent from the map.
func (r *Resolver) lookupNodes(ctx context.Context, ids []string) (map[string]model.Node, error) {
	out := map[string]model.Node{}
	for _, k := range nodeKinds {
		var ask []string
		for _, id := range ids {
			if _, done := out[id]; !done && k.claims(id) {
				ask = append(ask, id)
			}
		}
		if len(ask) == 0 {
			continue
		}
		found, err := k.load(ctx, r.Store, ask)
		if err != nil {
			return nil, fmt.Errorf("look up %s ids: %w", k.name, err)
		}
		for id, n := range found {
			out[id] = n
		}
	}
	return out, nil
}

func noNode(id string) error {
	return errs.E("node", errs.NotFound, fmt.Errorf("no entity, relationship, change or source with id %q", id))
}

// addNotFound reports, at index i of the current list field, that there is
// nothing with the id: the item is null and its siblings stay.
func addNotFound(ctx context.Context, i int, id string) {
	path := append(ast.Path{}, graphql.GetPath(ctx)...)
	graphql.AddError(ctx, &gqlerror.Error{Message: "not found", Path: append(path, ast.PathIndex(i)), Err: noNode(id)})
}
