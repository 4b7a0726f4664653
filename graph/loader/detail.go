package loader

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/store"
)

// Scope returns ctx for the store calls made for this request, marked with
// store.Only and the names of every field the operation selects, so that
// reads fetch and decode no property that nothing shows (facts and
// evidence above all). The whole operation is looked at, not one field,
// because the loaders share what one field fetched with every other: an
// entity read without its evidence must never reach a field that shows it.
func (l *Loaders) Scope(ctx context.Context) context.Context {
	l.detailOnce.Do(func() {
		if !graphql.HasOperationContext(ctx) {
			return
		}
		names := map[string]bool{}
		if fieldNames(graphql.GetOperationContext(ctx).Operation.SelectionSet, names) {
			l.fields = make([]string, 0, len(names))
			for n := range names {
				l.fields = append(l.fields, n)
			}
		}
	})
	if l.fields != nil {
		return store.Only(ctx, l.fields)
	}
	return ctx
}

// fieldNames adds the name of every field in set, fragments included, to
// names; it is false if a fragment is unknown and so the names incomplete.
func fieldNames(set ast.SelectionSet, names map[string]bool) bool {
	for _, sel := range set {
		var sub ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			names[s.Name] = true
			sub = s.SelectionSet
		case *ast.InlineFragment:
			sub = s.SelectionSet
		case *ast.FragmentSpread:
			if s.Definition == nil {
				return false
			}
			sub = s.Definition.SelectionSet
		}
		if !fieldNames(sub, names) {
			return false
		}
	}
	return true
}
