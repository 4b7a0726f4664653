package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"cyberkg/graph/args"
	"cyberkg/graph/loader"
	"cyberkg/graph/model"
	"cyberkg/graph/plan"
	"cyberkg/kg"
	"cyberkg/store"
)

// entities looks up the entities of a batch resolver's parents, in their
// order, in one call to the loader (the plan's prefetch has mostly primed
// it). The errors are per item, as gqlgen's batch resolvers report them.
func entities(ctx context.Context, ids []string) ([]model.Entity, error) {
	if t, ok := loader.RecordedAt(ctx); ok { // the ends as they were then, retracted since or not
		es, errors := loader.For(ctx).EntitiesAt(ctx, ids, t)
		out, failed := make([]model.Entity, len(ids)), false
		for i, e := range es {
			if e != nil {
				out[i] = model.NewEntity(e)
			}
			failed = failed || errors[i] != nil
		}
		if failed {
			return out, graphql.BatchErrorList(errors)
		}
		return out, nil
	}
	es, err := loader.For(ctx).Entities(ctx, ids)
	out := make([]model.Entity, len(ids))
	for i, e := range es {
		if e != nil {
			out[i] = model.NewEntity(e)
		}
	}
	if err == nil {
		return out, nil
	}
	var each dataloadgen.ErrorSlice
	if errors.As(err, &each) && len(each) == len(ids) {
		return out, graphql.BatchErrorList(each)
	}
	errs := make(graphql.BatchErrorList, len(ids))
	for i := range errs {
		errs[i] = err
	}
	return out, errs
}

// rootEntity is entity for a root field, which also looks ahead for the
// relationships the query selects on it.
func rootEntity(ctx context.Context, id string) (model.Entity, error) {
	e, err := loader.For(ctx).RootEntity(ctx, id)
	if err != nil {
		return nil, err
	}
	return model.NewEntity(e), nil
}

// prefetch primes the loaders with what a root field returns: at a record
// time, the record time's cache, whose entities' fields then read at that
// time too (the plan's live levels do not apply).
func prefetch(ctx context.Context, es []kg.Entity) {
	if t, ok := loader.RecordedAt(ctx); ok {
		loader.For(ctx).PrimeAt(t, es...)
		return
	}
	loader.For(ctx).Prefetch(ctx, es)
}

// primeEnds primes the loaders with the entities at rs's ends: at a
// record time, as they were then.
func primeEnds(ctx context.Context, rs []kg.Relationship) error {
	t, ok := loader.RecordedAt(ctx)
	if !ok {
		return loader.For(ctx).PrimeEnds(ctx, rs)
	}
	ids := make([]string, 0, 2*len(rs))
	for _, r := range rs {
		ids = append(ids, r.From, r.To)
	}
	loader.For(ctx).EntitiesAt(ctx, ids, t) // errors are the ends' own fields' to report
	return nil
}

// reads is what the operation reads of entities and relationships.
func reads(ctx context.Context) store.Projection { return plan.ReadsOf(plan.For(ctx)) }

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
	page := func(ctx context.Context, _ store.Projection, f store.EntityFilter, order store.EntityOrder, offset, limit int, total bool) (store.Page[kg.Entity], error) {
		return loader.For(ctx).EntityPage(ctx, f, order, offset, limit, total)
	}
	if t, ok := loader.RecordedAt(ctx); ok {
		page = func(ctx context.Context, p store.Projection, f store.EntityFilter, order store.EntityOrder, offset, limit int, total bool) (store.Page[kg.Entity], error) {
			return r.Store.EntityPageAt(ctx, p, f, order, t, offset, limit, total)
		}
	}
	offset, limit, err := window(size, first, last, after, before, func() (int, error) {
		p, err := page(ctx, reads(ctx), f, order, 0, 0, true)
		return p.Total, err
	})
	if err != nil {
		return nil, err
	}
	p, err := page(ctx, reads(ctx), f, order, offset, limit, plan.For(ctx).Selects(plan.Field(ctx), "totalCount", "pageInfo"))
	if err != nil {
		return nil, err
	}
	prefetch(ctx, p.Items)
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
	prefetch(ctx, g.Nodes)
	return &model.Subgraph{Nodes: model.NewEntities(g.Nodes), Edges: nonNilRels(g.Edges), Truncated: g.Truncated}
}
