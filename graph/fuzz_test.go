package graph

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"cyberkg/graph/args"
	"cyberkg/graph/generated"
	"cyberkg/graph/plan"
)

// A cursor is whatever text a client sends as after: only cursors this API
// gave out decode, and they decode to the offset they were made from.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{encodeCursor(0), encodeCursor(99), "b2Zmc2V0Oi0x", "xyz", "", "b2Zmc2V0Ojk5OTk5OTk5OTk5OTk5OTk5OTk5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		n, ok := decodeCursor(c)
		if !ok {
			return
		}
		if n < 0 {
			t.Fatalf("decodeCursor(%q) = %d", c, n)
		}
		if m, ok := decodeCursor(encodeCursor(n)); !ok || m != n {
			t.Fatalf("offset %d does not round-trip", n)
		}
	})
}

// A size argument's value is either refused with an error or lies in its
// range; the cost model's bound always lies in it.
func FuzzIntArgument(f *testing.F) {
	f.Add(0, -1)
	f.Add(3, 1001)
	f.Add(7, 1<<62)
	f.Fuzz(func(t *testing.T, which, v int) {
		a := args.All[uint(which)%uint(len(args.All))]
		n, err := a.Value(&v)
		if (err == nil) != (v >= a.Min && v <= a.Max) || (err == nil && n != v) {
			t.Fatalf("%s(%s) of %d: %d, %v", a.Field, a.Name, v, n, err)
		}
		if b := a.Bound(map[string]any{a.Name: int64(v)}); b < a.Min || b > a.Max {
			t.Fatalf("%s(%s) bound of %d is %d", a.Field, a.Name, v, b)
		}
	})
}

// Any document that parses and validates gets a cost, without panicking,
// that is never negative, and its arguments (literal or variables) are read
// without error; the document limits count it without panicking.
func FuzzCostOfDocuments(f *testing.F) {
	for _, q := range []string{
		`{ entity(id: "china") { relationships(first: 1000) { to { relationships { id } } } } }`,
		`query($n: Int) { entities(first: $n) { totalCount nodes { ...F } } } fragment F on Entity { relationships(first: $n) { id } }`,
		`{ paths(from: "a", to: "b", maxHops: 6, limit: 50) { nodes { id } edges { from { id } } } }`,
		`{ neighborhood(id: "a", depth: 3, limit: 1000) { nodes { ... on State { relationships(first: -5) { id } } } } }`,
		`{ a: stats { entities } b: stats { entities } }`,
	} {
		f.Add(q, int64(10))
	}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	limits := DocumentLimits{MaxTokens: 5000, MaxAliases: 30, MaxDirectives: 50}
	f.Fuzz(func(t *testing.T, q string, n int64) {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, limits.MaxTokens)
		if err != nil {
			return
		}
		var c docCounts
		for _, op := range doc.Operations {
			c.selections(op.SelectionSet)
		}
		if len(validator.ValidateWithRules(schema, doc, nil)) > 0 {
			return
		}
		for _, op := range doc.Operations {
			vars, err := validator.VariableValues(schema, op, map[string]any{"n": n})
			if err != nil {
				continue
			}
			if cost := plan.New(schema, op, vars).Cost; cost < 0 {
				t.Fatalf("cost of %q is %d", q, cost)
			}
		}
	})
}
