package loader

import (
	"context"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/graph/plan"
	"cyberkg/kg"
	"cyberkg/store"
)

// Batching by a time window alone leaves the round trips of a nested query to
// chance: items of a long list reach their loader a few milliseconds apart
// and land in several batches. So roots that return entities fetch the
// relationship levels their plan selects on those entities, and on the
// entities at their ends, all in one query, and prime the loaders (a page
// of entities fetches them inside its own query: EntityPage). A nested
// query then costs one query whatever its page size and depth; the window
// batching remains for whatever the plan does not reach (the entities of a
// quote's source).

// prefetched records which (entity, filter) pairs a prefetch has claimed
// and holds the pages fetched for them: a pair is done once claimed or
// fetched. Relationships reads a fetched page here before asking the
// relationships loader: priming the loader cost a closure and a map entry
// more per page, and a nested page primes a thousand.
type prefetched struct {
	mu      sync.Mutex
	claimed map[relKey]bool
	pages   map[relKey][]kg.Relationship
}

// done reports whether k is claimed or fetched; the caller holds mu.
func (p *prefetched) done(k relKey) bool {
	if p.claimed[k] {
		return true
	}
	_, ok := p.pages[k]
	return ok
}

// page is the page fetched for k, if one was.
func (p *prefetched) page(k relKey) ([]kg.Relationship, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rels, ok := p.pages[k]
	return rels, ok
}

// keep keeps rels as k's page, unless one was kept already; size is how
// many pages the caller is about to keep, for the map's first allocation.
// The caller holds mu.
func (p *prefetched) keep(k relKey, rels []kg.Relationship, size int) {
	if p.pages == nil {
		p.pages = make(map[relKey][]kg.Relationship, size)
	}
	if _, ok := p.pages[k]; !ok {
		p.pages[k] = nonNil(rels)
	}
}

// Prefetch is told the entities the current root field returns: it primes
// the entity loader with them, and the relationships loader with the levels
// the plan selects on them.
func (l *Loaders) Prefetch(ctx context.Context, entities []kg.Entity) {
	l.Prime(entities...)
	if len(entities) == 0 {
		return
	}
	ids := make([]string, len(entities))
	for i, e := range entities {
		ids[i] = e.ID
	}
	// The entities are a cohort too: the pages their items ask for with
	// arguments no level takes (a relationshipsConnection's where or
	// after) are then one query however the items' calls spread over the
	// batching windows (on a slow machine, 40 items' calls took two).
	if f := field(ctx); f != nil {
		l.pl.cohorts.add(ids, map[*ast.Field]bool{f: true})
	}
	l.prefetch(ctx, ids, plan.For(ctx).Levels(plan.Field(ctx)))
}

// prefetch fetches every level below ids in one query (store.LevelsOf)
// and primes the loaders with each page of it.
func (l *Loaders) prefetch(ctx context.Context, ids []string, levels []*plan.Level) {
	claimed := make([][]string, len(levels))
	var todo []string
	for i, lv := range levels {
		claimed[i] = l.claim(ids, lv.Filter, lv.Limit)
		todo = append(todo, claimed[i]...)
	}
	if todo = dedupe(todo); len(todo) == 0 {
		return
	}
	pages, ends, err := l.store.LevelsOf(ctx, reads(ctx), todo, storeLevels(levels))
	if err != nil {
		for i, lv := range levels {
			l.release(claimed[i], lv.Filter, lv.Limit) // the loaders will try again and report the error
		}
		return
	}
	l.Prime(ends...)
	l.primePages(pages)
}

// storeLevels are levels as store.LevelsOf takes them. A plan's levels
// filter only by types, direction and asOf (plan.relArgs), which every
// level of LevelsOf takes (store.RelFilter.Nests).
func storeLevels(levels []*plan.Level) []store.Level {
	out := make([]store.Level, len(levels))
	for i, lv := range levels {
		out[i] = store.Level{Filter: lv.Filter, Limit: lv.Limit, Next: storeLevels(lv.Next)}
	}
	return out
}

// primed puts relationships fetched for level lv into the loaders, and
// fetches the levels below it from their ends.
func (l *Loaders) primed(ctx context.Context, byID map[string][]kg.Relationship, ends []kg.Entity, ids []string, lv *plan.Level) {
	l.Prime(ends...)
	var next []string
	l.pre.mu.Lock()
	for _, id := range ids {
		rels := byID[id]
		l.pre.keep(keyOf(id, lv.Filter, lv.Limit), rels, len(ids))
		for _, r := range rels {
			next = append(next, r.From, r.To)
		}
	}
	l.pre.mu.Unlock()
	if len(lv.Next) > 0 {
		l.prefetch(ctx, dedupe(next), lv.Next)
	}
}

// claim returns the ids not yet fetched with f and limit, marking them fetched.
func (l *Loaders) claim(ids []string, f store.RelFilter, limit int) []string {
	l.pre.mu.Lock()
	defer l.pre.mu.Unlock()
	var todo []string
	for _, id := range ids {
		if k := keyOf(id, f, limit); !l.pre.done(k) {
			if l.pre.claimed == nil {
				l.pre.claimed = map[relKey]bool{}
			}
			l.pre.claimed[k] = true
			todo = append(todo, id)
		}
	}
	return todo
}

func (l *Loaders) release(ids []string, f store.RelFilter, limit int) {
	l.pre.mu.Lock()
	defer l.pre.mu.Unlock()
	for _, id := range ids {
		delete(l.pre.claimed, keyOf(id, f, limit))
	}
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// PrimeEnds loads, in one query, the entities at the ends of rels when the
// plan selects an entity below the current root field, so that resolving
// them finds them cached rather than each waiting on a batch of its own;
// then the levels selected on those ends.
func (l *Loaders) PrimeEnds(ctx context.Context, rels []kg.Relationship) error {
	field := plan.Field(ctx)
	if len(rels) == 0 || !plan.For(ctx).SelectsEntities(field) {
		return nil
	}
	ids := make([]string, 0, 2*len(rels))
	for _, r := range rels {
		ids = append(ids, r.From, r.To)
	}
	ids = dedupe(ids)
	found, err := l.store.EntitiesByID(ctx, reads(ctx), ids)
	if err != nil {
		return err
	}
	ends := make([]kg.Entity, 0, len(found))
	for _, id := range ids {
		if e, ok := found[id]; ok {
			ends = append(ends, e)
		}
	}
	l.Prime(ends...)
	l.prefetch(ctx, ids, plan.For(ctx).Levels(field))
	return nil
}

// EntityPage is store.Entities for the current root field, with the levels
// its plan selects on the page's entities fetched in the same query
// (store.EntitiesWithLevels) and primed, so that the page's prefetch finds
// them done.
func (l *Loaders) EntityPage(ctx context.Context, f store.EntityFilter, order store.EntityOrder, offset, limit int, total bool) (store.Page[kg.Entity], error) {
	levels := storeLevels(plan.For(ctx).Levels(plan.Field(ctx)))
	page, pages, ends, err := l.store.EntitiesWithLevels(ctx, reads(ctx), f, order, offset, limit, total, levels)
	if err != nil {
		return page, err
	}
	l.Prime(ends...)
	l.primePages(pages) // every entity of the page has one at each of its levels, empty or not
	return page, nil
}

// primePages keeps fetched level pages for Relationships and marks them
// fetched, under one lock for all of them (a nested page primes hundreds).
func (l *Loaders) primePages(pages []store.LevelPage) {
	l.pre.mu.Lock()
	defer l.pre.mu.Unlock()
	for _, p := range pages {
		l.pre.keep(keyOf(p.ID, p.Filter, p.Limit), p.Items, len(pages))
	}
}
