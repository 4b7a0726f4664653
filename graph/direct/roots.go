package direct

import (
	"context"
	"encoding/json"

	"cyberkg/graph/generated"
	"cyberkg/graph/model"
	"cyberkg/kg"
)

// An argKind is how one argument's coerced value becomes the Go value its
// resolver takes, and whether a value is one this package passes on
// exactly as gqlgen's unmarshalers would (anything else goes to gqlgen,
// which reports it).
type argKind int

const (
	argString argKind = iota
	argStrings
	argInt
	argDate
	argKinds
	argRelTypes
	argConfidences
	argEnum // validation has checked its value against the enum
)

// argSpec names the arguments a field passes on; any other given a value
// makes the operation one for gqlgen (record times, where filters, cursors).
type argSpec map[string]argKind

func (s argSpec) accepts(m map[string]any) bool {
	for name, v := range m {
		if v == nil {
			continue
		}
		k, ok := s[name]
		if !ok || !k.valid(v) {
			return false
		}
	}
	return true
}

func (k argKind) valid(v any) bool {
	switch k {
	case argString, argEnum:
		_, ok := v.(string)
		return ok
	case argInt:
		_, ok := intOf(v)
		return ok
	case argDate:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := model.UnmarshalDate(s)
		return err == nil
	}
	list, ok := v.([]any)
	if !ok {
		return false
	}
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return false
		}
		switch k {
		case argKinds:
			_, ok = kg.ParseKind(s)
		case argRelTypes:
			_, ok = kg.LookupRelType(s)
		case argConfidences:
			_, ok = kg.ParseConfidence(s)
		}
		if !ok {
			return false
		}
	}
	return true
}

func intOf(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		return int(n), true
	case int:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// args reads the values of arguments that accepts has passed.
type args map[string]any

func (a args) str(name string) string { s, _ := a[name].(string); return s }

func (a args) int(name string) *int {
	n, ok := intOf(a[name])
	if !ok {
		return nil
	}
	return &n
}

func (a args) date(name string) *kg.Date {
	s, ok := a[name].(string)
	if !ok {
		return nil
	}
	d, err := model.UnmarshalDate(s)
	if err != nil {
		return nil
	}
	return &d
}

func (a args) strings(name string) []string {
	list, _ := a[name].([]any)
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i], _ = v.(string)
	}
	return out
}

func (a args) kinds(name string) []kg.Kind {
	return convert(a.strings(name), func(s string) kg.Kind { k, _ := kg.ParseKind(s); return k })
}

func (a args) relTypes(name string) []kg.RelType {
	return convert(a.strings(name), func(s string) kg.RelType { t, _ := kg.LookupRelType(s); return t.Type })
}

func (a args) confidences(name string) []kg.Confidence {
	return convert(a.strings(name), func(s string) kg.Confidence { c, _ := kg.ParseConfidence(s); return c })
}

func convert[T any](in []string, f func(string) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// enum is an enum argument as its model type, or nil.
func enum[T ~string](a args, name string) *T {
	s, ok := a[name].(string)
	if !ok {
		return nil
	}
	v := T(s)
	return &v
}

// A root is one Query field this package answers: the arguments it passes
// on and the resolver call.
type root struct {
	args    argSpec
	resolve func(ctx context.Context, q generated.QueryResolver, a args) (any, error)
}

var roots = map[string]root{
	"entity": {argSpec{"id": argString}, func(ctx context.Context, q generated.QueryResolver, a args) (any, error) {
		return q.Entity(ctx, a.str("id"), nil)
	}},
	"entities": {argSpec{"kinds": argKinds, "first": argInt}, func(ctx context.Context, q generated.QueryResolver, a args) (any, error) {
		return q.Entities(ctx, a.kinds("kinds"), nil, nil, nil, a.int("first"), nil, nil, nil)
	}},
	"search": {argSpec{"text": argString, "kinds": argKinds, "first": argInt}, func(ctx context.Context, q generated.QueryResolver, a args) (any, error) {
		return q.Search(ctx, a.str("text"), a.kinds("kinds"), a.int("first"), nil)
	}},
	"timeline": {argSpec{"from": argDate, "to": argDate, "kinds": argKinds, "involving": argStrings, "first": argInt},
		func(ctx context.Context, q generated.QueryResolver, a args) (any, error) {
			return q.Timeline(ctx, a.date("from"), a.date("to"), a.kinds("kinds"), a.strings("involving"), nil, nil, a.int("first"), nil, nil, nil)
		}},
	"neighborhood": {argSpec{"id": argString, "maxHops": argInt, "depth": argInt, "types": argRelTypes, "direction": argEnum,
		"asOf": argDate, "confidence": argConfidences, "first": argInt, "limit": argInt},
		func(ctx context.Context, q generated.QueryResolver, a args) (any, error) {
			return q.Neighborhood(ctx, a.str("id"), a.int("maxHops"), a.int("depth"), a.relTypes("types"), enum[model.Direction](a, "direction"),
				a.date("asOf"), nil, a.confidences("confidence"), nil, a.int("first"), a.int("limit"))
		}},
	"chain": {argSpec{"from": argString, "direction": argEnum, "maxHops": argInt, "asOf": argDate, "confidence": argConfidences,
		"first": argInt, "limit": argInt},
		func(ctx context.Context, q generated.QueryResolver, a args) (any, error) {
			return q.Chain(ctx, a.str("from"), enum[model.ChainDirection](a, "direction"), a.int("maxHops"), a.date("asOf"), nil,
				a.confidences("confidence"), nil, a.int("first"), a.int("limit"))
		}},
	"paths": {argSpec{"from": argString, "to": argString, "maxHops": argInt, "types": argRelTypes, "direction": argEnum,
		"mode": argEnum, "asOf": argDate, "confidence": argConfidences, "orderBy": argEnum, "first": argInt, "limit": argInt},
		func(ctx context.Context, q generated.QueryResolver, a args) (any, error) {
			return q.Paths(ctx, a.str("from"), a.str("to"), a.int("maxHops"), a.relTypes("types"), enum[model.Direction](a, "direction"),
				enum[model.PathMode](a, "mode"), a.date("asOf"), nil, a.confidences("confidence"), nil, enum[model.PathOrder](a, "orderBy"),
				nil, a.int("first"), a.int("limit"))
		}},
}
