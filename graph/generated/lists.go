package generated

// Not generated: graph/gqlgen routes every list of the generated code here.

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/graph/loader"
)

// marshalList marshals the items of a list. gqlgen gives every item a
// goroutine of its own, so that resolvers waiting on a dataloader's batch
// wait together. Where no selected field below the list can wait (their
// data came with the list: the look-ahead and the loaders' priming make
// that the common case) the goroutines only cost: on a neighbourhood of
// 200 entities and their relationships, list marshalling was half the
// server's CPU, much of it goroutine start-up and stack growth. Such lists
// are marshalled in the calling goroutine; the others as gqlgen does.
func marshalList(ctx context.Context, sel ast.SelectionSet, n int, workerLimit int64, omitPanicHandler bool,
	item func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if n < 2 || mayWait(ctx, sel) {
		return graphql.MarshalSliceConcurrently(ctx, n, workerLimit, omitPanicHandler, item)
	}
	out := make(graphql.Array, n)
	for i := range n {
		out[i] = marshalItem(ctx, i, omitPanicHandler, item)
	}
	return out
}

// marshalItem is one item of marshalList, with gqlgen's field context and
// panic handling.
func marshalItem(ctx context.Context, i int, omitPanicHandler bool, item func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return item(ctx, i)
}

// waitingFields are the fields whose resolvers may wait on a dataloader's
// batch: a relationship's claimants, a quote's source, and an entity's
// relationships unless the look-ahead has fetched them (Covered). A
// relationship's from and to are not among them: every resolver that
// returns relationships primes their ends.
var waitingFields = map[string]bool{"relationships": true, "claimedBy": true, "source": true}

// mayWait reports whether the selection reaches a waiting field, through
// fragments too.
func mayWait(ctx context.Context, sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			waits := waitingFields[s.Name] && !(s.Name == "relationships" && loader.Covered(ctx, s))
			if waits || mayWait(ctx, s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if mayWait(ctx, s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && mayWait(ctx, s.Definition.SelectionSet) {
				return true
			}
		}
	}
	return false
}
