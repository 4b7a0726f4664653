package graph

import (
	"context"
	"time"

	"cyberkg/errs"
	"cyberkg/graph/args"
	"cyberkg/graph/loader"
	"cyberkg/graph/model"
	"cyberkg/graph/plan"
	"cyberkg/kg"
	"cyberkg/store"
)

// The connections and counts the analysts' and Relay's clients read. Each
// is one store query per field (two when last counts from the end).

// relationshipsConnection pages through entity id's relationships.
func (r *Resolver) relationshipsConnection(ctx context.Context, id string, a relArgs, recordedAt *time.Time, where *model.RelationshipFilter, first *int, after *string, last *int, before *string) (*model.RelationshipConnection, error) {
	f, err := relFilter(a, where)
	if err != nil {
		return nil, err
	}
	t, past := loader.Past(recordedAt)
	if recordedAt == nil {
		t, past = loader.RecordedAt(ctx) // an entity read at a record time
	}
	if past {
		return r.relationshipsConnectionAt(ctx, id, f, t, first, after, last, before)
	}
	offset, limit, err := window(args.RelationshipsOfPage, first, last, after, before, func() (int, error) {
		p, _, err := r.Store.RelationshipPage(ctx, reads(ctx), id, f, 0, 0, true)
		return p.Total, err
	})
	if err != nil {
		return nil, err
	}
	p, ends, err := r.Store.RelationshipPage(ctx, reads(ctx), id, f, offset, limit, plan.For(ctx).Selects(plan.Field(ctx), "totalCount", "pageInfo"))
	if err != nil {
		return nil, err
	}
	loader.For(ctx).Prime(ends...)
	return relationshipConnection(p, offset), nil
}

func relationshipConnection(p store.Page[kg.Relationship], offset int) *model.RelationshipConnection {
	conn := &model.RelationshipConnection{Nodes: nonNilRels(p.Items), TotalCount: p.Total, PageInfo: pageInfo(offset, len(p.Items), p.Total)}
	conn.Edges = make([]model.RelationshipEdge, len(p.Items))
	for i := range p.Items {
		conn.Edges[i] = model.RelationshipEdge{Cursor: encodeCursor(offset + i), Node: &p.Items[i]}
	}
	return conn
}

// degree counts entity id's relationships by type.
func (r *Resolver) degree(ctx context.Context, id string, direction *model.Direction, where *model.RelationshipFilter) (*model.Degree, error) {
	f, err := relFilter(relArgs{direction: direction}, where)
	if err != nil {
		return nil, err
	}
	var counts []store.GroupCount
	if t, ok := loader.RecordedAt(ctx); ok { // its own recordedAt, or its entity's
		counts, err = r.Store.DegreeAt(ctx, id, f, t)
	} else {
		counts, err = r.Store.Degree(ctx, id, f)
	}
	if err != nil {
		return nil, err
	}
	d := &model.Degree{ByType: []model.TypeCount{}}
	for _, c := range counts {
		d.Total += c.Count
		d.ByType = append(d.ByType, model.TypeCount{Type: kg.RelType(c.Key), Count: c.Count})
	}
	return d, nil
}

// searchDepth is how deep search pages reach: the best this many hits.
const searchDepth = 1000

// searchConnection pages through search hits. Lucene ranks; a page past
// the first reads the hits before it again, so pages reach searchDepth.
func (r *Resolver) searchConnection(ctx context.Context, text string, kinds []kg.Kind, recordedAt *time.Time, first *int, after *string, last *int, before *string) (*model.SearchConnection, error) {
	var all []store.Hit
	counted := false
	count := func() (int, error) {
		hits, err := r.search(ctx, text, kinds, searchDepth, recordedAt)
		all, counted = hits, true
		return len(hits), err
	}
	offset, limit, err := window(args.SearchPage, first, last, after, before, count)
	if err != nil {
		return nil, err
	}
	if offset+limit > searchDepth {
		return nil, errs.Invalidf("search pages reach the best %d hits; this page would end at %d", searchDepth, offset+limit)
	}
	if !counted {
		n := offset + limit
		if plan.For(ctx).Selects(plan.Field(ctx), "totalCount", "pageInfo") {
			n = searchDepth
			counted = true
		}
		if all, err = r.search(ctx, text, kinds, max(n, 1), recordedAt); err != nil {
			return nil, err
		}
	}
	page := all[min(offset, len(all)):min(offset+limit, len(all))]
	found := make([]kg.Entity, len(page))
	for i, h := range page {
		found[i] = h.Entity
	}
	prefetch(ctx, found)
	total := len(all)
	conn := &model.SearchConnection{Nodes: model.NewEntities(found), TotalCount: total, PageInfo: pageInfo(offset, len(page), total)}
	if !counted { // only the page and those before it were read
		conn.PageInfo.HasNextPage = len(all) == offset+limit
	}
	conn.Edges = make([]model.SearchEdge, len(page))
	for i, h := range page {
		conn.Edges[i] = model.SearchEdge{Cursor: encodeCursor(offset + i), Node: conn.Nodes[i], Score: h.Score}
	}
	return conn, nil
}

// search is Store.Search, or SearchAt at a past record time.
func (r *Resolver) search(ctx context.Context, text string, kinds []kg.Kind, first int, recordedAt *time.Time) ([]store.Hit, error) {
	if t, ok := loader.Past(recordedAt); ok {
		return r.Store.SearchAt(ctx, reads(ctx), text, kinds, first, t)
	}
	return r.Store.Search(ctx, reads(ctx), text, kinds, first)
}

// weightsOf is the default weights with a request's own.
func weightsOf(ws []model.ConfidenceWeight) (store.Weights, error) {
	w := store.Weights{}
	for k, v := range store.DefaultWeights {
		w[k] = v
	}
	for _, cw := range ws {
		if cw.Weight < 0 || cw.Weight > 1 {
			return nil, errs.Invalidf("weights: %s's weight must be between 0 and 1, got %g", cw.Confidence, cw.Weight)
		}
		w[cw.Confidence] = cw.Weight
	}
	return w, nil
}

func groupCounts(cs []store.GroupCount) []model.GroupCount {
	out := make([]model.GroupCount, len(cs))
	for i, c := range cs {
		out[i].Count = c.Count
		if c.Key != "" {
			key := c.Key
			out[i].Key = &key
		}
	}
	return out
}

// relationshipsConnectionAt pages through entity id's relationships as the
// graph held them at record time t.
func (r *Resolver) relationshipsConnectionAt(ctx context.Context, id string, f store.RelFilter, t time.Time, first *int, after *string, last *int, before *string) (*model.RelationshipConnection, error) {
	var all store.Page[kg.Relationship]
	read := false
	offset, limit, err := window(args.RelationshipsOfPage, first, last, after, before, func() (int, error) {
		p, err := loader.For(ctx).RelationshipPageAt(ctx, id, f, t, 0, 0)
		all, read = p, true
		return p.Total, err
	})
	if err != nil {
		return nil, err
	}
	p, err := loader.For(ctx).RelationshipPageAt(ctx, id, f, t, offset, limit)
	if read && err == nil && p.Total != all.Total {
		p.Total = all.Total
	}
	if err != nil {
		return nil, err
	}
	return relationshipConnection(p, offset), nil
}
