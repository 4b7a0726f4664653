// Package direct answers the commonest read operations without gqlgen's
// field executor, writing the response straight from what the schema's own
// resolvers and loaders return.
//
// gqlgen resolves every field of every object through a field context of its
// own and marshals every list of objects with a goroutine per item; on a
// nested page of a thousand objects that machinery was most of the server's
// CPU, more than Neo4j's work for it (BENCHMARKS.md, issue 23). An operation
// whose every field is one this package knows (entities, relationships and
// their evidence, subgraphs, paths, search hits, entity pages) is answered
// here instead: its root fields are resolved by the same resolvers, in a
// field context of their own so that they read the plan as they do under
// gqlgen (its levels prefetched into the same loaders), and the fields below
// are written in the operation's order, as gqlgen would write them, from the
// loaders those resolvers primed. A root whose resolver fails is written as
// gqlgen writes it (null, its error through gqlgen's own error path); any
// other operation, and any that fails below its roots, goes to gqlgen as
// before. This path answers only where it gives the same bytes, and
// server/direct_test.go compares the two on every kind of operation it takes.
package direct

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/graph"
	argrange "cyberkg/graph/args"
	"cyberkg/graph/plan"
	"cyberkg/kg"
)

// Executor answers the operations it knows; the rest go to gqlgen.
type Executor struct {
	Resolver *graph.Resolver
	Schema   *ast.Schema
	// Timeout bounds each request from its start, as the root-field
	// deadline does under gqlgen.
	Timeout time.Duration
	// Answered, if set, is told of each query which executor answered:
	// this package (true) or gqlgen.
	Answered func(direct bool)

	// kindTypes is each kind's object type, found once: spelling it out
	// for every entity written was 4% of a neighbourhood's CPU.
	kindsOnce sync.Once
	kindTypes map[string]string
}

// Respond is a gqlgen response middleware (AroundResponses): it answers
// the operation itself when it can, and otherwise calls next.
func (x *Executor) Respond(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx) // refused before it was parsed (a body that is not JSON)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx) // writes and the change feed: gqlgen's, uncounted
	}
	if p := plan.OfOperation(oc); p == nil || !p.Admitted {
		// Refused before it ran (over the cost budget, too deep, too
		// long a list): gqlgen passes the refusal through here too.
		return next(ctx)
	}
	if x.Knows(oc) {
		dctx, cancel := context.WithDeadline(ctx, oc.Stats.OperationStart.Add(x.Timeout))
		data, failed, ok := x.write(dctx, oc)
		cancel()
		if ok {
			x.answered(true)
			for _, e := range failed {
				oc.Error(e.ctx, graphql.AddFieldLocationToError(e.ctx, e.err)) // as gqlgen adds a resolver's error
			}
			return &graphql.Response{Data: data, Errors: graphql.GetErrors(ctx)}
		}
	}
	x.answered(false)
	return next(ctx)
}

func (x *Executor) answered(direct bool) {
	if x.Answered != nil {
		x.Answered(direct)
	}
}

// write writes the operation's data; ok is false when anything failed or
// panicked, which gqlgen then reports as it always does.
func (x *Executor) write(ctx context.Context, oc *graphql.OperationContext) (data []byte, failed []rootError, ok bool) {
	defer func() {
		if recover() != nil {
			data, failed, ok = nil, nil, false
		}
	}()
	w := &writer{ctx: ctx, oc: oc, x: x}
	return w.operation()
}

// Knows reports whether every field of the operation is one this package
// writes, with arguments it passes on as gqlgen would: a closed list, which
// the response cache relies on to know what an answer depends on.
func (x *Executor) Knows(oc *graphql.OperationContext) bool {
	for _, f := range plan.Fields(oc.Operation.SelectionSet) {
		if f.Name == "__typename" {
			continue
		}
		root, ok := roots[f.Name]
		if !ok || f.Definition == nil || !onlySkipInclude(f.Directives) || !x.knowsBelow(oc, f.SelectionSet, f.Definition.Type.Name()) {
			return false
		}
		if !root.args.accepts(f.ArgumentMap(oc.Variables)) {
			return false
		}
	}
	return true
}

func (x *Executor) knowsBelow(oc *graphql.OperationContext, set ast.SelectionSet, typeName string) bool {
	for _, f := range plan.Fields(set) {
		if f.Definition == nil || !onlySkipInclude(f.Directives) {
			return false
		}
		if f.Name == "__typename" {
			continue
		}
		t := x.family(f.ObjectDefinition)
		known, ok := fields[t][f.Name]
		m := f.ArgumentMap(oc.Variables)
		if !ok || !known.accepts(m) || !inRange(t+"."+f.Name, m) {
			return false
		}
		if len(f.SelectionSet) > 0 && !x.knowsBelow(oc, f.SelectionSet, f.Definition.Type.Name()) {
			return false
		}
	}
	return true
}

// family is the type whose fields def has: Entity for every kind's type.
func (x *Executor) family(def *ast.Definition) string {
	if def == nil {
		return ""
	}
	if def.Name == "Entity" || x.implementsEntity(def) {
		return "Entity"
	}
	return def.Name
}

func (x *Executor) implementsEntity(def *ast.Definition) bool {
	for _, i := range def.Interfaces {
		if i == "Entity" {
			return true
		}
	}
	return false
}

// inRange reports whether field's sizes are within the ranges graph/args
// states for them: one that is not fails below a root, which gqlgen
// reports before the field's Cypher runs.
func inRange(field string, m map[string]any) bool {
	for name, v := range m {
		if a, ok := argrange.Lookup(field, name); ok {
			if n, isInt := intOf(v); isInt && !a.Valid(n) {
				return false
			}
		}
	}
	return true
}

func onlySkipInclude(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// satisfies are the type names a fragment on an object of type name may
// have as its condition: the type and its interfaces.
func (x *Executor) satisfies(name string) []string {
	def := x.Schema.Types[name]
	if def == nil {
		return []string{name}
	}
	return append([]string{name}, def.Interfaces...)
}

// typeOfKind is the GraphQL type of an entity of kind k: its name, as a word
// ("STATE" is State), or Recommendation for a kind the schema has no type
// for, as model.NewEntity treats one.
func (x *Executor) typeOfKind(k string) string {
	x.kindsOnce.Do(func() {
		x.kindTypes = make(map[string]string, len(kg.Kinds))
		for _, info := range kg.Kinds {
			k := string(info.Kind)
			if name := k[:1] + strings.ToLower(k[1:]); x.Schema.Types[name] != nil {
				x.kindTypes[k] = name
			}
		}
	})
	if name, ok := x.kindTypes[k]; ok {
		return name
	}
	return "Recommendation"
}

// buffer is the response being written.
type buffer = bytes.Buffer
