package model

import (
	"context"
	"time"

	"cyberkg/graph/args"
	"cyberkg/graph/loader"
	"cyberkg/kg"
	"cyberkg/store"
)

// Entity is the GraphQL Entity interface; every kind's type implements it.
type Entity interface {
	IsEntity()
	Domain() *kg.Entity
}

// EntityBase gives every kind's type the interface's fields, so that they are
// written once rather than once per kind. It points at the domain entity
// (which the request's loader shares) rather than copying it.
type EntityBase struct{ *kg.Entity }

func (*EntityBase) IsEntity() {}

// Domain returns the underlying domain entity.
func (e *EntityBase) Domain() *kg.Entity { return e.Entity }

// Relationships loads the entity's relationships through the request's
// dataloader, so that a list of entities costs one query, not one each.
func (e *EntityBase) Relationships(ctx context.Context, types []kg.RelType, direction *Direction, asOf *kg.Date, recordedAt *time.Time, first *int) ([]kg.Relationship, error) {
	n, err := args.EntityRelationships.Value(first)
	if err != nil {
		return nil, err
	}
	t, past := loader.Past(recordedAt)
	if recordedAt == nil {
		t, past = loader.RecordedAt(ctx) // an entity read at a record time
	}
	if past { // as the graph held them then
		return loader.For(ctx).RelationshipsAt(ctx, e.ID, RelFilter(types, direction, asOf), t, n)
	}
	return loader.For(ctx).Relationships(ctx, e.ID, RelFilter(types, direction, asOf), n)
}

// RelFilter turns the arguments that select relationships into the store's
// filter.
func RelFilter(types []kg.RelType, direction *Direction, asOf *kg.Date) store.RelFilter {
	f := store.RelFilter{Types: types, Direction: store.Both}
	if direction != nil {
		f.Direction = store.Direction(*direction)
	}
	if asOf != nil {
		f.AsOf = *asOf
	}
	return f
}

type (
	State          struct{ EntityBase }
	Agency         struct{ EntityBase }
	Organization   struct{ EntityBase }
	Firm           struct{ EntityBase }
	Person         struct{ EntityBase }
	Product        struct{ EntityBase }
	Law            struct{ EntityBase }
	Agreement      struct{ EntityBase }
	Event          struct{ EntityBase }
	Report         struct{ EntityBase }
	Recommendation struct{ EntityBase }
)

// ArticleNumber is a law article's number, or null for a whole law.
func (l *Law) ArticleNumber() *int {
	if l.Article == 0 {
		return nil
	}
	return &l.Article
}

// NewEntity wraps a domain entity in the GraphQL type of its kind.
func NewEntity(e *kg.Entity) Entity {
	b := EntityBase{e}
	switch e.Kind {
	case kg.State:
		return &State{b}
	case kg.Agency:
		return &Agency{b}
	case kg.Organization:
		return &Organization{b}
	case kg.Firm:
		return &Firm{b}
	case kg.Person:
		return &Person{b}
	case kg.Product:
		return &Product{b}
	case kg.Law:
		return &Law{b}
	case kg.Agreement:
		return &Agreement{b}
	case kg.Event:
		return &Event{b}
	case kg.Report:
		return &Report{b}
	default:
		return &Recommendation{b}
	}
}

// NewEntities wraps a list; the wrappers point into es.
func NewEntities(es []kg.Entity) []Entity {
	out := make([]Entity, len(es))
	for i := range es {
		out[i] = NewEntity(&es[i])
	}
	return out
}
