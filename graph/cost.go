package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cyberkg/graph/args"
)

// The cost of a request is the most nodes it can return: every object in the
// response (entities, relationships, evidence, pages) counts one, scalars
// count nothing, and a list counts what its size argument (or that
// argument's default) lets it return, multiplied through nesting. The
// numbers below are the parts the arguments do not give.
const (
	// RootCost is the least a root field that reaches Neo4j costs, however
	// little it selects: each is at least one round trip.
	RootCost = 100
	// TotalCountCost is what a totalCount costs: Neo4j counts without
	// returning, but still touches what it counts.
	TotalCountCost = 1000
	// smallList is the size assumed for the lists without a size argument
	// (an entity's facts and evidence, a relationship's claimants): a handful
	// in the brief.
	smallList = 5
)

const errCostLimit = "COST_LIMIT_EXCEEDED"

func init() { errcode.RegisterErrorType(errCostLimit, errcode.KindProtocol) }

// CostLimit refuses, before any resolver runs, an operation whose cost is
// over Budget, and records the cost of those it lets through.
type CostLimit struct{ Budget int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = CostLimit{}

func (CostLimit) ExtensionName() string                   { return "CostLimit" }
func (CostLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (c CostLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	cost := Cost(oc.Operation, oc.Variables)
	oc.Stats.SetExtension("cost", cost)
	if cost > c.Budget {
		err := gqlerror.Errorf("query could return up to %d nodes (entities, relationships and other objects); "+
			"the budget is %d per request: ask for smaller pages (first/limit) or fewer levels", cost, c.Budget)
		errcode.Set(err, errCostLimit)
		err.Extensions["cost"] = cost
		err.Extensions["budget"] = c.Budget
		return err
	}
	return nil
}

// CostOf is the cost computed for the current operation, or -1.
func CostOf(ctx context.Context) int {
	if !graphql.HasOperationContext(ctx) {
		return -1
	}
	if n, ok := graphql.GetOperationContext(ctx).Stats.GetExtension("cost").(int); ok {
		return n
	}
	return -1
}

// Cost computes an operation's cost with its variables.
func Cost(op *ast.OperationDefinition, vars map[string]any) int {
	w := costWalker{vars: vars}
	total := 0
	for _, f := range w.fields(op.SelectionSet) {
		if strings.HasPrefix(f.Name, "__") {
			continue // introspection and __typename: answered from the schema
		}
		total = sat(total + max(w.field(f), RootCost))
	}
	return total
}

type costWalker struct{ vars map[string]any }

// fields flattens fragments: the cost of a selection is the sum of its
// fields' costs, whichever fragment they come through (validation has
// already refused fragment cycles).
func (w costWalker) fields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, w.fields(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, w.fields(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

func (w costWalker) set(set ast.SelectionSet) int {
	total := 0
	for _, f := range w.fields(set) {
		total = sat(total + w.field(f))
	}
	return total
}

// field is the cost of one field with everything selected under it.
func (w costWalker) field(f *ast.Field) int {
	if f.Definition == nil || strings.HasPrefix(f.Name, "__") {
		return 0
	}
	m := f.ArgumentMap(w.vars)
	switch key := f.ObjectDefinition.Name + "." + f.Name; {
	case key == "Query.search":
		return each(args.Search.Bound(m), w.set(f.SelectionSet))
	case key == "Query.entities":
		return w.page(args.EntitiesPage.Bound(m), f.SelectionSet)
	case key == "Query.relationships":
		return w.page(args.RelationshipsPage.Bound(m), f.SelectionSet)
	case key == "Query.timeline":
		return w.page(args.TimelinePage.Bound(m), f.SelectionSet)
	case key == "Query.neighborhood":
		return w.page(args.NeighborhoodLimit.Bound(m), f.SelectionSet)
	case key == "Query.chain":
		return w.page(args.ChainLimit.Bound(m), f.SelectionSet)
	case key == "Query.changes":
		return w.page(ChangesPage.Bound(m), f.SelectionSet)
	case key == "Query.paths":
		return each(args.PathLimit.Bound(m), w.path(args.PathHops.Bound(m), f.SelectionSet))
	case f.Name == "relationships" && isEntity(f.ObjectDefinition):
		return each(args.EntityRelationships.Bound(m), w.set(f.SelectionSet))
	}
	if len(f.SelectionSet) == 0 {
		return 0 // a scalar or an enum
	}
	if f.Definition.Type.Elem != nil {
		return each(smallList, w.set(f.SelectionSet))
	}
	return sat(1 + w.set(f.SelectionSet))
}

// page is the cost of a connection or a subgraph of at most n items: its
// lists of items (nodes, edges) hold n each.
func (w costWalker) page(n int, set ast.SelectionSet) int {
	total := 1
	for _, f := range w.fields(set) {
		switch {
		case f.Name == "totalCount":
			total = sat(total + TotalCountCost)
		case f.Definition != nil && f.Definition.Type.Elem != nil:
			total = sat(total + each(n, w.set(f.SelectionSet)))
		default:
			total = sat(total + w.field(f))
		}
	}
	return total
}

// path is the cost of one path of at most hops relationships.
func (w costWalker) path(hops int, set ast.SelectionSet) int {
	total := 1
	for _, f := range w.fields(set) {
		switch f.Name {
		case "nodes":
			total = sat(total + each(hops+1, w.set(f.SelectionSet)))
		case "edges":
			total = sat(total + each(hops, w.set(f.SelectionSet)))
		default:
			total = sat(total + w.field(f))
		}
	}
	return total
}

func isEntity(d *ast.Definition) bool {
	if d.Name == "Entity" {
		return true
	}
	for _, i := range d.Interfaces {
		if i == "Entity" {
			return true
		}
	}
	return false
}

// each is the cost of n items that cost child each besides themselves.
func each(n, child int) int {
	if n > 0 && sat(1+child) > maxCost/n {
		return maxCost
	}
	return n * sat(1+child)
}

// maxCost keeps sums and products from overflowing: a cost this high is over
// any budget.
const maxCost = 1 << 40

func sat(n int) int { return min(n, maxCost) }
