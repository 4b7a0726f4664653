package plan

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

const (
	errQueryTooDeep = "QUERY_TOO_DEEP"
	errCostLimit    = "COST_LIMIT_EXCEEDED"
	errListTooLong  = "LIST_TOO_LONG"
	extensionName   = "Plan"
)

// Queries refused for their depth or cost are bad requests (HTTP 422 or
// 400), like queries that fail validation.
func init() {
	errcode.RegisterErrorType(errQueryTooDeep, errcode.KindProtocol)
	errcode.RegisterErrorType(errCostLimit, errcode.KindProtocol)
	errcode.RegisterErrorType(errListTooLong, errcode.KindProtocol)
}

// Extension plans every operation once validation has passed, refuses
// those nested deeper than MaxDepth, passing a list argument longer than
// its maximum (every list argument has one, and its description states
// it) or costing more than Budget before any resolver runs, and leaves the
// plan for the resolvers (For). Introspection is exempt from depth and
// cost: the explorer's own introspection query is deep but cheap.
type Extension struct {
	MaxDepth, Budget int
	schema           *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*Extension)(nil)

func (*Extension) ExtensionName() string { return extensionName }

func (e *Extension) Validate(s graphql.ExecutableSchema) error {
	e.schema = s.Schema()
	return nil
}

func (e *Extension) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	p := New(e.schema, oc.Operation, oc.Variables)
	if p.Depth > e.MaxDepth {
		err := gqlerror.Errorf("query is %d levels deep; the most allowed is %d", p.Depth, e.MaxDepth)
		errcode.Set(err, errQueryTooDeep)
		return err
	}
	if tl := p.TooLong; tl != nil {
		err := gqlerror.Errorf("%s takes at most %d items, got %d", tl.Where, tl.Max, tl.Got)
		errcode.Set(err, errListTooLong)
		return err
	}
	oc.Stats.SetExtension(extensionName, p)
	if p.Cost > e.Budget {
		err := gqlerror.Errorf("query could return up to %d nodes (entities, relationships and other objects); "+
			"the budget is %d per request: ask for smaller pages (first/limit) or fewer levels", p.Cost, e.Budget)
		errcode.Set(err, errCostLimit)
		err.Extensions["cost"] = p.Cost
		err.Extensions["budget"] = e.Budget
		return err
	}
	p.Admitted = true
	return nil
}

// CostOf is the cost of the current operation, or -1 when it was not
// planned (refused before, or not an operation).
func CostOf(ctx context.Context) int {
	if p := For(ctx); p != nil {
		return p.Cost
	}
	return -1
}
