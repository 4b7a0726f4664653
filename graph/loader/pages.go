package loader

import (
	"context"
	"encoding/json"
	"maps"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"cyberkg/kg"
	"cyberkg/store"
)

// The per-entity pages and counts of a list's entities (relationshipsConnection,
// degree) batched like relationships: each item asks for its own, and the
// loader answers every item that asked with the same arguments (filter and
// window) in one store query, so a list costs one query per level and per
// distinct set of arguments, not one per entity.

// argKey names one set of arguments: the JSON of what the store is asked,
// since a filter (slices, nested filters) is not comparable itself.
type argKey struct {
	id   string
	args string
}

// pageArgs are what a relationship page is asked with.
type pageArgs struct {
	Filter        store.RelFilter
	Offset, Limit int
	Total         bool
}

// argsOf remembers the arguments behind each key's args, for the batch
// function, which sees only keys.
type argsOf[A any] struct {
	mu   sync.Mutex
	byID map[string]A
}

func (a *argsOf[A]) key(id string, args A) (argKey, error) {
	b, err := json.Marshal(args)
	if err != nil {
		return argKey{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byID == nil {
		a.byID = map[string]A{}
	}
	a.byID[string(b)] = args
	return argKey{id: id, args: string(b)}, nil
}

func (a *argsOf[A]) get(k string) A {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.byID[k]
}

// groups gathers keys by their arguments, keeping each group's ids.
func groups(keys []argKey) map[string][]string {
	out := map[string][]string{}
	for _, k := range keys {
		out[k.args] = append(out[k.args], k.id)
	}
	return out
}

// cohorts make the pages of a nested level one query too. The entities at
// the far ends of one batch of pages are a cohort: the edges of a list's
// connections, whose own connections are asked for next, each from a
// single entity (an edge's to), so not as one list. The first of them to
// ask fetches the page, with the same arguments, for its whole cohort, and
// the rest find theirs fetched, waiting for that fetch when it is still
// under way (a later batching window would otherwise miss it and ask
// again: one query more on a slow machine). Only a field below the one whose pages
// made the cohort fetches for it: a sibling field with other arguments
// asks for its own list, not for the ends of another's.
type cohorts struct {
	mu      sync.Mutex
	next    int
	of      map[string][]int             // entity id → its cohorts
	members map[int][]string             // cohort → its entities
	by      map[int]map[*ast.Field]bool  // cohort → the fields whose pages made it
	fetched map[cohortArgs]chan struct{} // cohorts fetched with these arguments; closed once their pages are kept
	pages   map[argKey]store.Page[kg.Relationship]
}

type cohortArgs struct {
	cohort int
	args   string
}

// add makes ids a cohort, made by the pages of the fields by.
func (c *cohorts) add(ids []string, by map[*ast.Field]bool) {
	if len(ids) == 0 || len(by) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.of == nil {
		c.of, c.members, c.by = map[string][]int{}, map[int][]string{}, map[int]map[*ast.Field]bool{}
		c.fetched, c.pages = map[cohortArgs]chan struct{}{}, map[argKey]store.Page[kg.Relationship]{}
	}
	c.next++
	c.by[c.next] = by
	for _, id := range dedupe(ids) {
		c.of[id] = append(c.of[id], c.next)
	}
	c.members[c.next] = dedupe(ids)
}

// widen splits ids asked for with args. Those in a cohort (made by one of
// the asking fields' ancestors) that another fetch with args has taken on
// are later: their page comes with it, once the channel closes. The rest
// are to fetch now, with the members of their cohorts not yet fetched with
// args, which it marks as taken on; done, called once their pages are
// kept (or the fetch failed), lets those waiting for them go on.
func (c *cohorts) widen(ids []string, args string, above map[*ast.Field]bool) (fetch []string, later map[string]chan struct{}, done func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	mine := map[chan struct{}]bool{}
	later = map[string]chan struct{}{}
	fetching := map[string]bool{}
	for _, id := range ids {
		var other chan struct{}
		for _, n := range c.of[id] {
			if !madeAbove(c.by[n], above) {
				continue
			}
			if ch, taken := c.fetched[cohortArgs{n, args}]; taken {
				if !mine[ch] {
					other = ch
				}
				continue
			}
			ch := make(chan struct{})
			c.fetched[cohortArgs{n, args}] = ch
			mine[ch] = true
			for _, m := range c.members[n] {
				fetching[m] = true
			}
			fetch = append(fetch, c.members[n]...)
		}
		if other != nil && !fetching[id] {
			later[id] = other
		} else {
			fetching[id] = true
			fetch = append(fetch, id)
		}
	}
	return dedupe(fetch), later, func() {
		for ch := range mine {
			close(ch)
		}
	}
}

// madeAbove reports whether one of the fields by is among above.
func madeAbove(by, above map[*ast.Field]bool) bool {
	for f := range by {
		if above[f] {
			return true
		}
	}
	return false
}

// askers are, for each set of page arguments, the fields that asked for
// pages with them and those fields' ancestors. A batch holds the calls of
// every field that asked in its window, and its context is only the
// first caller's: the cohorts a batch's pages make, and those it may
// widen to, are those of every field that asked with the arguments.
type askers struct {
	mu     sync.Mutex
	fields map[string]map[*ast.Field]bool
	above  map[string]map[*ast.Field]bool
}

// asked records that the field of ctx asked with args.
func (a *askers) asked(ctx context.Context, args string) {
	f := field(ctx)
	if f == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fields[args][f] {
		return // its ancestors are known
	}
	if a.fields == nil {
		a.fields, a.above = map[string]map[*ast.Field]bool{}, map[string]map[*ast.Field]bool{}
	}
	if a.fields[args] == nil {
		a.fields[args], a.above[args] = map[*ast.Field]bool{}, map[*ast.Field]bool{}
	}
	a.fields[args][f] = true
	for up := range ancestors(ctx) {
		a.above[args][up] = true
	}
}

// of are the fields that asked with args, and their ancestors.
func (a *askers) of(args string) (fields, above map[*ast.Field]bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return maps.Clone(a.fields[args]), maps.Clone(a.above[args])
}

// wait waits until the fetches of k's cohorts with k's arguments, those
// under way, have kept their pages.
func (c *cohorts) wait(ctx context.Context, k argKey) {
	c.mu.Lock()
	var chs []chan struct{}
	for _, n := range c.of[k.id] {
		if ch := c.fetched[cohortArgs{n, k.args}]; ch != nil {
			chs = append(chs, ch)
		}
	}
	c.mu.Unlock()
	for _, ch := range chs {
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// keep holds pages fetched for a cohort; take gives one back.
func (c *cohorts) keep(k argKey, p store.Page[kg.Relationship]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages != nil {
		c.pages[k] = p
	}
}

func (c *cohorts) take(k argKey) (store.Page[kg.Relationship], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[k]
	return p, ok
}

type pageLoaders struct {
	cohorts    cohorts
	askers     askers
	pageArgs   argsOf[pageArgs]
	pages      *dataloadgen.Loader[argKey, store.Page[kg.Relationship]]
	degreeArgs argsOf[store.RelFilter]
	degrees    *dataloadgen.Loader[argKey, []store.GroupCount]
}

func (l *Loaders) initPages() {
	l.pl.pages = dataloadgen.NewLoader(l.fetchPages, dataloadgen.WithWait(wait))
	l.pl.degrees = dataloadgen.NewLoader(func(ctx context.Context, keys []argKey) ([][]store.GroupCount, []error) {
		found := map[argKey][]store.GroupCount{}
		failed := map[string]error{}
		for args, ids := range groups(keys) {
			counts, err := l.store.Degrees(ctx, ids, l.pl.degreeArgs.get(args))
			failed[args] = err
			for id, c := range counts {
				found[argKey{id, args}] = c
			}
		}
		out, errors := make([][]store.GroupCount, len(keys)), make([]error, len(keys))
		for i, k := range keys {
			out[i], errors[i] = found[k], failed[k.args]
		}
		return out, errors
	}, dataloadgen.WithWait(wait))
}

// field is the field a loader call was made for (nil outside a request).
func field(ctx context.Context) *ast.Field {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Field.Field
	}
	return nil
}

// ancestors are the fields above the one a loader call was made for.
func ancestors(ctx context.Context) map[*ast.Field]bool {
	out := map[*ast.Field]bool{}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return out
	}
	for p := fc.Parent; p != nil; p = p.Parent {
		if p.Field.Field != nil {
			out[p.Field.Field] = true
		}
	}
	return out
}

// fetchPages answers keys: those fetched with their cohort from what was
// kept, the others in one store query per set of arguments, widened to
// their cohorts.
func (l *Loaders) fetchPages(ctx context.Context, keys []argKey) ([]store.Page[kg.Relationship], []error) {
	found := map[argKey]store.Page[kg.Relationship]{}
	failed := map[string]error{}
	ask := map[string][]string{}
	for _, k := range keys {
		l.pl.cohorts.wait(ctx, k)
		if p, ok := l.pl.cohorts.take(k); ok {
			found[k] = p // fetched with its cohort
		} else {
			ask[k.args] = append(ask[k.args], k.id)
		}
	}
	for args, ids := range ask {
		fields, above := l.pl.askers.of(args)
		fetch, later, done := l.pl.cohorts.widen(ids, args, above)
		if len(fetch) > 0 {
			failed[args] = l.fetchCohort(ctx, args, fetch, fields, found)
		}
		done() // before waiting for others' fetches, which may wait for this one
		var missed []string
		for id, ch := range later {
			select {
			case <-ch:
			case <-ctx.Done():
			}
			if p, ok := l.pl.cohorts.take(argKey{id, args}); ok {
				found[argKey{id, args}] = p
			} else {
				missed = append(missed, id) // that fetch failed
			}
		}
		if len(missed) > 0 {
			if err := l.fetchCohort(ctx, args, missed, fields, found); err != nil {
				failed[args] = err
			}
		}
	}
	out, errors := make([]store.Page[kg.Relationship], len(keys)), make([]error, len(keys))
	for i, k := range keys {
		out[i], errors[i] = found[k], failed[k.args]
	}
	return out, errors
}

// fetchCohort fetches the pages of ids with args in one store query, keeps
// them for their cohort, and makes the entities at their far ends a
// cohort of fields.
func (l *Loaders) fetchCohort(ctx context.Context, args string, ids []string, fields map[*ast.Field]bool, found map[argKey]store.Page[kg.Relationship]) error {
	a := l.pl.pageArgs.get(args)
	pages, ends, err := l.store.RelationshipPages(ctx, reads(ctx), ids, a.Filter, a.Offset, a.Limit, a.Total)
	if err != nil {
		return err
	}
	l.Prime(ends...)
	var far []string
	for _, id := range ids {
		k, p := argKey{id, args}, pages[id]
		found[k] = p
		l.pl.cohorts.keep(k, p)
		for _, r := range p.Items {
			far = append(far, r.From, r.To)
		}
	}
	l.pl.cohorts.add(far, fields)
	return nil
}

// inList reports whether the field a loader call is made for is inside a
// list: outside one (a root field's entity) it has nothing to batch with,
// and asks at once rather than wait out the batching window.
func inList(ctx context.Context) bool {
	for _, e := range graphql.GetPath(ctx) {
		if _, ok := e.(ast.PathIndex); ok {
			return true
		}
	}
	return false
}

// RelationshipPage is store.RelationshipPage of entity id, batched with the
// other entities that ask with the same arguments.
func (l *Loaders) RelationshipPage(ctx context.Context, id string, f store.RelFilter, offset, limit int, total bool) (store.Page[kg.Relationship], error) {
	k, err := l.pl.pageArgs.key(id, pageArgs{f, offset, limit, total})
	if err != nil {
		return store.Page[kg.Relationship]{}, err
	}
	l.pl.askers.asked(ctx, k.args)
	return l.pl.pages.Load(ctx, k)
}

// PageRequest is one entity's page: its id and window.
type PageRequest struct {
	ID            string
	Offset, Limit int
}

// RelationshipPages loads the pages of several entities at once, in order:
// a batch resolver's, which has them all. Requests of the same window are
// one store query.
func (l *Loaders) RelationshipPages(ctx context.Context, f store.RelFilter, total bool, reqs []PageRequest) ([]store.Page[kg.Relationship], error) {
	keys := make([]argKey, len(reqs))
	for i, r := range reqs {
		k, err := l.pl.pageArgs.key(r.ID, pageArgs{f, r.Offset, r.Limit, total})
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	for _, k := range keys {
		l.pl.askers.asked(ctx, k.args)
	}
	if len(keys) == 1 && !inList(ctx) {
		pages, errs := l.fetchPages(ctx, keys)
		return pages, errs[0]
	}
	return l.pl.pages.LoadAll(ctx, keys)
}

// Degrees loads the degrees of several entities at once, in order, in one
// store query.
func (l *Loaders) Degrees(ctx context.Context, ids []string, f store.RelFilter) ([][]store.GroupCount, error) {
	keys := make([]argKey, len(ids))
	for i, id := range ids {
		k, err := l.pl.degreeArgs.key(id, f)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return l.pl.degrees.LoadAll(ctx, keys)
}

// Degree is store.Degree of entity id, batched with the other entities that
// ask with the same filter.
func (l *Loaders) Degree(ctx context.Context, id string, f store.RelFilter) ([]store.GroupCount, error) {
	k, err := l.pl.degreeArgs.key(id, f)
	if err != nil {
		return nil, err
	}
	return l.pl.degrees.Load(ctx, k)
}
