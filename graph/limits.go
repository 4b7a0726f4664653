package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

const (
	errQueryTooDeep    = "QUERY_TOO_DEEP"
	errComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED" // gqlgen's code, unexported there
)

// Queries refused for their depth or complexity are bad requests (HTTP 422
// or 400), like queries that fail validation.
func init() {
	errcode.RegisterErrorType(errQueryTooDeep, errcode.KindProtocol)
	errcode.RegisterErrorType(errComplexityLimit, errcode.KindProtocol)
}

// DepthLimit rejects operations nested deeper than Max before anything runs.
// Introspection (fields starting "__") is exempt: the explorer's own
// introspection query is deep but cheap.
type DepthLimit struct{ Max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

func (DepthLimit) ExtensionName() string                   { return "DepthLimit" }
func (DepthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d DepthLimit) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(rc.Operation.SelectionSet, map[string]bool{}); depth > d.Max {
		err := gqlerror.Errorf("query is %d levels deep; the most allowed is %d", depth, d.Max)
		errcode.Set(err, errQueryTooDeep)
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, inFragment map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + selectionDepth(s.SelectionSet, inFragment)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, inFragment)
		case *ast.FragmentSpread:
			if s.Definition == nil || inFragment[s.Name] {
				continue
			}
			inFragment[s.Name] = true
			d = selectionDepth(s.Definition.SelectionSet, inFragment)
			delete(inFragment, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}
