package generated

// Not generated: graph/gqlgen routes every list, every resolver field,
// every object's @defer bookkeeping and the writing of every object of the
// generated code here.

import (
	"context"
	"io"
	"slices"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
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

// fieldMayWait: every resolver field may wait, until graph/gqlgen and this
// file go (the name list that said otherwise is gone with the walkers).
func fieldMayWait(context.Context, *ast.Field) bool { return true }

// mayWait: every selection may.
func mayWait(context.Context, ast.SelectionSet) bool { return true }

// resolveField resolves field i of an object whose resolver is a method
// (gqlgen's ResolveConcurrently, which the object's Dispatch runs in a
// goroutine of its own for every such field but one). A field that cannot
// wait on a dataloader (a relationship's primed ends, causal, relationships
// the look-ahead fetched) is resolved here and now: a neighbourhood's 200
// relationships selecting from and to started 200 goroutines for nothing.
// A field that may wait goes gqlgen's way, so that waits overlap.
func resolveField(ctx context.Context, out *graphql.FieldSet, field graphql.CollectedField, oc *graphql.OperationContext,
	deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	if fieldMayWait(ctx, field.Field) {
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	out.Values[i] = resolveNow(ctx, oc, recoverFromPanic, resolve)
	// Counted as gqlgen counts a field's result: a non-null field resolved
	// to null makes its object null.
	invalid := graphql.Marshaler(graphql.RequiredNull)
	if nonNull {
		invalid = graphql.Null
	}
	if out.Values[i] == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}

// resolveNow runs resolve, turning a panic into an error and a null, as
// gqlgen's guard does.
func resolveNow(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool, resolve func(ctx context.Context) graphql.Marshaler) (m graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}

// collectFields is gqlgen's CollectFields with @defer taken off. Our
// transports (POST and GET) write one response, and gqlgen's deferred parts
// never reached it: the response said "hasNext": true, held null where the
// deferred fields belonged, and nothing followed. So @defer is accepted and
// the one response holds everything, as the incremental-delivery proposal
// lets a server do. gqlgen caches the fields per request; only an operation
// that uses @defer pays for the copy.
func collectFields(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	fields := graphql.CollectFields(oc, sel, satisfies)
	if !slices.ContainsFunc(fields, graphql.CollectedField.IsDeferred) {
		return fields
	}
	inline := slices.Clone(fields)
	for i := range inline {
		inline[i].Deferrables = nil
	}
	return inline
}

// newDeferredGroup stands for gqlgen's NewDeferredGroup, which computes the
// object's path (a walk up the field contexts, with allocations: a tenth of
// the server's CPU on a neighbourhood's 400 objects) for deferred results,
// and collectFields leaves none.
func newDeferredGroup(context.Context, []graphql.CollectedField) graphql.DeferredGroup {
	return graphql.DeferredGroup{}
}

// object is an object's response, its fields in the order collected: what
// gqlgen's FieldSet writes, without what that costs for every object of a
// response, a map of the names written and a copy of every field on the
// heap (on a neighbourhood of 400 objects, a third of the bytes the server
// allocated).
type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

func (o object) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	for i := range o.fields {
		alias := o.fields[i].Alias
		// A name written already is skipped, as FieldSet does (validation
		// and CollectFields' merging leave none).
		if slices.ContainsFunc(o.fields[:i], func(f graphql.CollectedField) bool { return f.Alias == alias }) {
			continue
		}
		if i > 0 {
			io.WriteString(w, ",")
		}
		// An alias is a GraphQL name, letters, digits and _: nothing to escape.
		io.WriteString(w, `"`)
		io.WriteString(w, alias)
		io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}
