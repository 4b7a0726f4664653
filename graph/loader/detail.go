package loader

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/store"
)

// Scope returns ctx for the store calls made for this request: marked
// store.WithoutDetail when the operation selects facts or evidence nowhere,
// so that no read fetches or decodes them. The whole operation is looked at,
// not one field, because the loaders share what one field fetched with
// every other: an entity read without its evidence must never reach a field
// that shows it.
func (l *Loaders) Scope(ctx context.Context) context.Context {
	l.detailOnce.Do(func() {
		l.lean = graphql.HasOperationContext(ctx) &&
			!selectsAny(graphql.GetOperationContext(ctx).Operation.SelectionSet, "facts", "evidence")
	})
	if l.lean {
		return store.WithoutDetail(ctx)
	}
	return ctx
}

// selectsAny reports whether a field with one of the names appears anywhere
// in set, fragments included.
func selectsAny(set ast.SelectionSet, names ...string) bool {
	for _, sel := range set {
		var sub ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			for _, n := range names {
				if s.Name == n {
					return true
				}
			}
			sub = s.SelectionSet
		case *ast.InlineFragment:
			sub = s.SelectionSet
		case *ast.FragmentSpread:
			if s.Definition == nil {
				return true // unknown: assume the worst
			}
			sub = s.Definition.SelectionSet
		}
		if selectsAny(sub, names...) {
			return true
		}
	}
	return false
}
