// Package loader batches the lookups that GraphQL fields make per item of a
// list into one store query per request and field, so that a nested query
// costs a bounded number of round trips whatever the page size.
package loader

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"cyberkg/errs"
	"cyberkg/graph/plan"
	"cyberkg/kg"
	"cyberkg/store"
)

// wait is how long a loader collects keys before it queries. Resolvers of a
// list's items run concurrently and mostly ask within a few milliseconds of
// each other; Prefetch covers the nested lists where that is not enough.
const wait = 5 * time.Millisecond

// Loaders are one request's batching loaders.
type Loaders struct {
	store         *store.Store
	entities      *dataloadgen.Loader[string, *kg.Entity] // shared, never changed: every field that refers to an entity reads the one copy
	relationships *dataloadgen.Loader[relKey, []kg.Relationship]
	pre           prefetched
	pl            pageLoaders // relationship pages and degrees (pages.go)
	rec           recorded    // entities at record times (recorded.go)
	read          read        // every entity read (Read)
}

// relKey is comparable, as a loader key must be, so the filter's types are
// joined into a string.
type relKey struct {
	id        string
	types     string
	direction store.Direction
	asOf      kg.Date
	limit     int
}

// New makes loaders over s for one request.
func New(s *store.Store) *Loaders {
	l := &Loaders{store: s}
	l.entities = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*kg.Entity, []error) {
		l.note(ids...)
		found, err := s.EntitiesByID(ctx, reads(ctx), ids)
		out, errors := make([]*kg.Entity, len(ids)), make([]error, len(ids))
		for i, id := range ids {
			e, ok := found[id]
			switch {
			case err != nil:
				errors[i] = err
			case !ok:
				errors[i] = errs.E("entity", errs.NotFound, fmt.Errorf("no entity with id %q", id))
			default:
				out[i] = &e
			}
		}
		return out, errors
	}, dataloadgen.WithWait(wait))
	l.relationships = dataloadgen.NewLoader(func(ctx context.Context, keys []relKey) ([][]kg.Relationship, []error) {
		return l.relationshipsOf(ctx, keys)
	}, dataloadgen.WithWait(wait))
	l.initPages()
	return l
}

// relationshipsOf answers a batch with one query per distinct filter (in
// practice a list shares one filter, so one query), and primes the entity
// loader with the entities at the relationships' other ends, which the same
// query returns: an edge's from and to then cost nothing more.
func (l *Loaders) relationshipsOf(ctx context.Context, keys []relKey) ([][]kg.Relationship, []error) {
	type group struct {
		filter store.RelFilter
		limit  int
		ids    []string
	}
	groups := map[relKey]*group{}
	for _, k := range keys {
		l.note(k.id)
		fk := relKey{types: k.types, direction: k.direction, asOf: k.asOf, limit: k.limit}
		if groups[fk] == nil {
			groups[fk] = &group{filter: store.RelFilter{Types: splitTypes(k.types), Direction: k.direction, AsOf: k.asOf}, limit: k.limit}
		}
		groups[fk].ids = append(groups[fk].ids, k.id)
	}
	results := map[relKey][]kg.Relationship{}
	failed := map[relKey]error{}
	for fk, g := range groups {
		byID, ends, err := l.store.RelationshipsOf(ctx, reads(ctx), g.ids, g.filter, g.limit)
		l.Prime(ends...)
		for _, id := range g.ids {
			k := fk
			k.id = id
			results[k], failed[k] = byID[id], err
		}
	}
	out, errors := make([][]kg.Relationship, len(keys)), make([]error, len(keys))
	for i, k := range keys {
		out[i], errors[i] = nonNil(results[k]), failed[k]
	}
	return out, errors
}

func nonNil(rs []kg.Relationship) []kg.Relationship {
	if rs == nil {
		return []kg.Relationship{}
	}
	return rs
}

func splitTypes(s string) []kg.RelType {
	if s == "" {
		return nil
	}
	var out []kg.RelType
	for _, t := range strings.Split(s, ",") {
		out = append(out, kg.RelType(t))
	}
	return out
}

// Entity loads one entity; an unknown id is a NotFound error.
func (l *Loaders) Entity(ctx context.Context, id string) (*kg.Entity, error) {
	return l.entities.Load(ctx, id)
}

// RootEntity looks one entity up at once, without the batching window: a
// root field has nothing to batch with, and waiting out the window was most
// of a point lookup's time (5 ms around 0.6 ms of Cypher). The entity is
// cached for the fields that refer to it. When the plan has one
// relationship level on it, its relationships come in the same query (one
// round trip instead of two) and prime the relationships loader, and the
// levels below are fetched from their far ends; otherwise every level is
// fetched as Prefetch does.
func (l *Loaders) RootEntity(ctx context.Context, id string) (*kg.Entity, error) {
	levels := plan.For(ctx).Levels(plan.Field(ctx))
	if len(levels) == 1 && len(l.claim([]string{id}, levels[0].Filter, levels[0].Limit)) == 1 {
		lv := levels[0]
		e, rels, ends, found, err := l.store.EntityWithRelationships(ctx, reads(ctx), id, lv.Filter, lv.Limit)
		if err != nil {
			l.release([]string{id}, lv.Filter, lv.Limit)
			return nil, err
		}
		if !found {
			return nil, errs.E("entity", errs.NotFound, fmt.Errorf("no entity with id %q", id))
		}
		l.Prime(e)
		l.primed(ctx, map[string][]kg.Relationship{id: rels}, ends, []string{id}, lv)
		return &e, nil
	}
	found, err := l.store.EntitiesByID(ctx, reads(ctx), []string{id})
	if err != nil {
		return nil, err
	}
	e, ok := found[id]
	if !ok {
		return nil, errs.E("entity", errs.NotFound, fmt.Errorf("no entity with id %q", id))
	}
	es := []kg.Entity{e}
	l.Prefetch(ctx, es)
	return &es[0], nil
}

// reads is what the operation reads of entities and relationships.
func reads(ctx context.Context) store.Projection { return plan.ReadsOf(plan.For(ctx)) }

// Entities loads several entities, in order.
func (l *Loaders) Entities(ctx context.Context, ids []string) ([]*kg.Entity, error) {
	return l.entities.LoadAll(ctx, ids)
}

// Relationships loads the first limit relationships of entity id that pass
// f: the page a prefetch fetched, or else through the batching loader.
func (l *Loaders) Relationships(ctx context.Context, id string, f store.RelFilter, limit int) ([]kg.Relationship, error) {
	k := keyOf(id, f, limit)
	if rels, ok := l.pre.page(k); ok {
		return rels, nil
	}
	return l.relationships.Load(ctx, k)
}

func keyOf(id string, f store.RelFilter, limit int) relKey {
	return relKey{id: id, types: joinTypes(f.Types), direction: f.Direction, asOf: f.AsOf, limit: limit}
}

func joinTypes(types []kg.RelType) string {
	if len(types) == 1 {
		return string(types[0]) // the commonest filter, without a slice to join
	}
	ts := make([]string, len(types))
	for i, t := range types {
		ts[i] = string(t)
	}
	return strings.Join(ts, ",")
}

type ctxKey struct{}

// Middleware gives every request fresh loaders, so nothing is cached across
// requests.
func Middleware(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), ctxKey{}, New(s))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	return ctx.Value(ctxKey{}).(*Loaders)
}

// Prime caches entities a query has already returned, so that fields that
// refer to them (an edge's from and to) cost no further query. It keeps
// pointers into es, not copies (one entity is some 250 bytes, and a
// neighbourhood's edges refer to each end again and again): the caller must
// not change them afterwards.
func (l *Loaders) Prime(es ...kg.Entity) {
	ids := make([]string, len(es))
	for i := range es {
		ids[i] = es[i].ID
	}
	l.note(ids...) // under one lock for all of them, not one each
	for i := range es {
		l.entities.Prime(es[i].ID, &es[i])
	}
}

// read is every entity the request has read: looked up, primed, or whose
// relationships it fetched.
type read struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

func (l *Loaders) note(ids ...string) {
	l.read.mu.Lock()
	defer l.read.mu.Unlock()
	if l.read.ids == nil {
		l.read.ids = map[string]struct{}{}
	}
	for _, id := range ids {
		l.read.ids[id] = struct{}{}
	}
}

// Read is the ids of every entity the request has read through its
// loaders: those an answer made from them depends on (the response cache
// keeps an answer until a change touches one of them).
func (l *Loaders) Read() []string {
	l.read.mu.Lock()
	defer l.read.mu.Unlock()
	out := make([]string, 0, len(l.read.ids))
	for id := range l.read.ids {
		out = append(out, id)
	}
	return out
}
