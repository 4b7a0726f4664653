package graph

import (
	"context"

	"cyberkg/graph/loader"
	"cyberkg/graph/model"
	"cyberkg/kg"
)

// entity loads one entity through the request's loader, in its kind's type.
func entity(ctx context.Context, id string) (model.Entity, error) {
	e, err := loader.For(ctx).Entity(ctx, id)
	if err != nil {
		return nil, err
	}
	return model.NewEntity(e), nil
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
