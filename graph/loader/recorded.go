package loader

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"cyberkg/errs"
	"cyberkg/kg"
	"cyberkg/store"
)

// Record time in a request. A field given recordedAt reads the graph as it
// was then, and so does everything selected under it: the ends of its
// relationships, the relationships of its entities. RecordedAt finds the
// nearest enclosing field's recordedAt in gqlgen's field contexts, so no
// model type carries it. Entities read at a record time are cached apart
// from the live ones (the entity loader's), by time, for the request.

// RecordedAt is the record time the field of ctx reads at, and true, when
// it or a field enclosing it was given a recordedAt that is in the past. A
// recordedAt of now or later is the live graph: false.
func RecordedAt(ctx context.Context) (time.Time, bool) {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if t, ok := fc.Args["recordedAt"].(*time.Time); ok && t != nil {
			return Past(t)
		}
	}
	return time.Time{}, false
}

// Past is *t and true when t is given and before now.
func Past(t *time.Time) (time.Time, bool) {
	if t == nil || !t.Before(time.Now()) {
		return time.Time{}, false
	}
	return *t, true
}

// recorded is the request's entities read at record times.
type recorded struct {
	mu sync.Mutex
	at map[atKey]*kg.Entity // nil: absent then
}

type atKey struct {
	t  int64 // UnixNano
	id string
}

// PrimeAt caches entities as they were at record time t.
func (l *Loaders) PrimeAt(t time.Time, es ...kg.Entity) {
	l.rec.mu.Lock()
	defer l.rec.mu.Unlock()
	if l.rec.at == nil {
		l.rec.at = map[atKey]*kg.Entity{}
	}
	for i := range es {
		l.rec.at[atKey{t.UnixNano(), es[i].ID}] = &es[i]
	}
}

// EntitiesAt are the entities of ids as the graph held them at record
// time t, in order: a NotFound error for each one it did not hold then.
// What is not cached yet costs one query.
func (l *Loaders) EntitiesAt(ctx context.Context, ids []string, t time.Time) ([]*kg.Entity, []error) {
	out, errors := make([]*kg.Entity, len(ids)), make([]error, len(ids))
	var todo []string
	l.rec.mu.Lock()
	for _, id := range ids {
		if _, ok := l.rec.at[atKey{t.UnixNano(), id}]; !ok {
			todo = append(todo, id)
		}
	}
	l.rec.mu.Unlock()
	if len(todo) > 0 {
		found, err := l.store.EntitiesAt(ctx, reads(ctx), todo, t)
		if err != nil {
			for i := range errors {
				errors[i] = err
			}
			return out, errors
		}
		es := make([]kg.Entity, 0, len(found))
		for _, e := range found {
			es = append(es, e)
		}
		l.PrimeAt(t, es...)
		l.rec.mu.Lock()
		for _, id := range todo {
			if _, ok := found[id]; !ok {
				l.rec.at[atKey{t.UnixNano(), id}] = nil
			}
		}
		l.rec.mu.Unlock()
	}
	l.rec.mu.Lock()
	defer l.rec.mu.Unlock()
	for i, id := range ids {
		if e := l.rec.at[atKey{t.UnixNano(), id}]; e != nil {
			out[i] = e
		} else {
			errors[i] = errs.E("entity", errs.NotFound, fmt.Errorf("no entity with id %q at %s", id, t.UTC().Format(time.RFC3339Nano)))
		}
	}
	return out, errors
}

// RelationshipsAt are the first limit relationships of entity id that pass
// f as the graph held them at record time t, in RelationshipsOf's order;
// their far ends, as they were then, are cached for the fields that read
// them.
func (l *Loaders) RelationshipsAt(ctx context.Context, id string, f store.RelFilter, t time.Time, limit int) ([]kg.Relationship, error) {
	page, err := l.RelationshipPageAt(ctx, id, f, t, 0, limit)
	return page.Items, err
}

// RelationshipPageAt is RelationshipPage at record time t: relationships
// [offset, offset+limit) of entity id and their total.
func (l *Loaders) RelationshipPageAt(ctx context.Context, id string, f store.RelFilter, t time.Time, offset, limit int) (store.Page[kg.Relationship], error) {
	byID, ends, err := l.store.RelationshipsOfAt(ctx, reads(ctx), []string{id}, f, t)
	if err != nil {
		return store.Page[kg.Relationship]{}, err
	}
	rs := byID[id]
	store.SortRelationships(rs)
	es := make([]kg.Entity, 0, len(ends))
	for _, e := range ends {
		es = append(es, e)
	}
	l.PrimeAt(t, es...)
	out := store.Page[kg.Relationship]{Total: len(rs), Items: []kg.Relationship{}}
	if offset < len(rs) {
		out.Items = rs[offset:min(len(rs), offset+limit)]
	}
	return out, nil
}
