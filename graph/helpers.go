package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"cyberkg/graph/args"
	"cyberkg/graph/loader"
	"cyberkg/graph/model"
	"cyberkg/kg"
	"cyberkg/store"
)

// entity loads one entity through the request's loader, in its kind's type.
func entity(ctx context.Context, id string) (model.Entity, error) {
	e, err := loader.For(ctx).Entity(ctx, id)
	if err != nil {
		return nil, err
	}
	return model.NewEntity(e), nil
}

// rootEntity is entity for a root field, which also looks ahead for the
// relationships the query selects on it.
func rootEntity(ctx context.Context, id string) (model.Entity, error) {
	l := loader.For(ctx)
	e, err := l.RootEntity(ctx, id)
	if err != nil {
		return nil, err
	}
	es := []kg.Entity{e}
	l.Prefetch(ctx, es, "")
	return model.NewEntity(&es[0]), nil
}

// selects reports whether the current field's selection includes one of
// the named fields (through fragments too).
func selects(ctx context.Context, names ...string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if slices.Contains(names, f.Name) {
			return true
		}
	}
	return false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nonNilRels(rs []kg.Relationship) []kg.Relationship {
	if rs == nil {
		return []kg.Relationship{}
	}
	return rs
}

// entityConnection pages through the entities that match f.
func (r *Resolver) entityConnection(ctx context.Context, f store.EntityFilter, order store.EntityOrder, size args.Int, first *int, after *string, last *int, before *string) (*model.EntityConnection, error) {
	scope := loader.For(ctx).Scope(ctx)
	offset, limit, err := window(size, first, last, after, before, func() (int, error) {
		p, err := r.Store.Entities(scope, f, order, 0, 0, true)
		return p.Total, err
	})
	if err != nil {
		return nil, err
	}
	p, err := r.Store.Entities(scope, f, order, offset, limit, selects(ctx, "totalCount", "pageInfo"))
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Prefetch(ctx, p.Items, "nodes", "edges.node")
	conn := &model.EntityConnection{Nodes: model.NewEntities(p.Items), TotalCount: p.Total, PageInfo: pageInfo(offset, len(p.Items), p.Total)}
	conn.Edges = make([]model.EntityEdge, len(conn.Nodes))
	for i, n := range conn.Nodes {
		conn.Edges[i] = model.EntityEdge{Cursor: encodeCursor(offset + i), Node: n}
	}
	return conn, nil
}

// subgraph wraps a store subgraph, priming the loader with its nodes so that
// its edges' ends cost no query.
func subgraph(ctx context.Context, g store.Subgraph) *model.Subgraph {
	loader.For(ctx).Prefetch(ctx, g.Nodes, "nodes", "edges.from", "edges.to")
	return &model.Subgraph{Nodes: model.NewEntities(g.Nodes), Edges: nonNilRels(g.Edges), Truncated: g.Truncated}
}
