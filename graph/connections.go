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

// The connections and counts the analysts' and Relay's clients read. An
// entity's connection and degree are batch resolvers over the loaders: a
// list's entities are answered in one store query per set of arguments
// (two when last counts from each one's end), and lists resolving at the
// same time share it.

// relationshipsConnections pages through the relationships of each of a
// list's entities (a batch resolver's): one loader call for them all, so
// one store query per window (every entity's, unless last counts from each
// one's own end), and one more for the counts when last needs them.
func (r *Resolver) relationshipsConnections(ctx context.Context, ids []string, a relArgs, recordedAt *time.Time, where *model.RelationshipFilter, first *int, after *string, last *int, before *string) ([]*model.RelationshipConnection, error) {
	f, err := relFilter(a, where)
	if err != nil {
		return nil, err
	}
	// At a past record time (its own, or its entity's), each entity's page
	// is read as the graph held it then: a rarer read, not batched.
	t, past := loader.Past(recordedAt)
	if recordedAt == nil {
		t, past = loader.RecordedAt(ctx)
	}
	if past {
		out := make([]*model.RelationshipConnection, len(ids))
		for i, id := range ids {
			if out[i], err = r.relationshipsConnectionAt(ctx, id, f, t, first, after, last, before); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	l := loader.For(ctx)
	var totals []store.Page[kg.Relationship]
	reqs := make([]loader.PageRequest, len(ids))
	for i, id := range ids {
		offset, limit, err := window(args.RelationshipsOfPage, first, last, after, before, func() (int, error) {
			if totals == nil {
				all := make([]loader.PageRequest, len(ids))
				for j, id := range ids {
					all[j] = loader.PageRequest{ID: id}
				}
				counted, err := l.RelationshipPages(ctx, f, true, all)
				if err != nil {
					return 0, err
				}
				totals = counted
			}
			return totals[i].Total, nil
		})
		if err != nil {
			return nil, err
		}
		reqs[i] = loader.PageRequest{ID: id, Offset: offset, Limit: limit}
	}
	// The loader primes the entities at the far ends.
	pages, err := l.RelationshipPages(ctx, f, plan.For(ctx).Selects(plan.Field(ctx), "totalCount", "pageInfo"), reqs)
	if err != nil {
		return nil, err
	}
	out := make([]*model.RelationshipConnection, len(ids))
	for i, p := range pages {
		out[i] = relationshipConnection(p, reqs[i].Offset)
	}
	return out, nil
}

func relationshipConnection(p store.Page[kg.Relationship], offset int) *model.RelationshipConnection {
	conn := &model.RelationshipConnection{Nodes: nonNilRels(p.Items), TotalCount: p.Total, PageInfo: pageInfo(offset, len(p.Items), p.Total)}
	conn.Edges = make([]model.RelationshipEdge, len(p.Items))
	for i := range p.Items {
		conn.Edges[i] = model.RelationshipEdge{Cursor: encodeCursor(offset + i), Node: &p.Items[i]}
	}
	return conn
}

// degrees counts each of a list's entities' relationships by type, in
// one loader call (a batch resolver's).
func (r *Resolver) degrees(ctx context.Context, ids []string, direction *model.Direction, where *model.RelationshipFilter, recordedAt *time.Time) ([]*model.Degree, error) {
	f, err := relFilter(relArgs{direction: direction}, where)
	if err != nil {
		return nil, err
	}
	var counts [][]store.GroupCount
	t, past := loader.Past(recordedAt)
	if recordedAt == nil {
		t, past = loader.RecordedAt(ctx) // its entity's
	}
	if past {
		counts = make([][]store.GroupCount, len(ids))
		for i, id := range ids {
			if counts[i], err = r.Store.DegreeAt(ctx, id, f, t); err != nil {
				return nil, err
			}
		}
	} else {
		counts, err = loader.For(ctx).Degrees(ctx, ids, f)
	}
	if err != nil {
		return nil, err
	}
	out := make([]*model.Degree, len(ids))
	for i, cs := range counts {
		d := &model.Degree{ByType: []model.TypeCount{}}
		for _, c := range cs {
			d.Total += c.Count
			d.ByType = append(d.ByType, model.TypeCount{Type: kg.RelType(c.Key), Count: c.Count})
		}
		out[i] = d
	}
	return out, nil
}

// idsOf is the ids of a batch resolver's entities.
func idsOf[E interface{ Domain() *kg.Entity }](objs []E) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Domain().ID
	}
	return out
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
