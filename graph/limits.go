package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
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

const (
	errTooManyAliases    = "TOO_MANY_ALIASES"
	errTooManyDirectives = "TOO_MANY_DIRECTIVES"
)

func init() {
	errcode.RegisterErrorType(errTooManyAliases, errcode.KindProtocol)
	errcode.RegisterErrorType(errTooManyDirectives, errcode.KindProtocol)
}

// DocumentLimits refuses documents with too many aliases or directives
// before validation, whose cost grows faster than the document (comparing
// every pair of fields that share a response name). It parses the raw text
// with the same token limit the executor uses, so a document over the token
// limit costs no more here than there, and leaves parse errors to the
// executor to report.
type DocumentLimits struct{ MaxTokens, MaxAliases, MaxDirectives int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = DocumentLimits{}

func (DocumentLimits) ExtensionName() string                   { return "DocumentLimits" }
func (DocumentLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l DocumentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.MaxTokens)
	if err != nil {
		return nil
	}
	var c docCounts
	for _, op := range doc.Operations {
		c.directives += len(op.Directives)
		c.selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		c.directives += len(f.Directives)
		c.selections(f.SelectionSet)
	}
	if c.aliases > l.MaxAliases {
		e := gqlerror.Errorf("query has %d aliases; the most allowed is %d", c.aliases, l.MaxAliases)
		errcode.Set(e, errTooManyAliases)
		return e
	}
	if c.directives > l.MaxDirectives {
		e := gqlerror.Errorf("query has %d directives; the most allowed is %d", c.directives, l.MaxDirectives)
		errcode.Set(e, errTooManyDirectives)
		return e
	}
	return nil
}

type docCounts struct{ aliases, directives int }

// selections counts what a selection set holds as written (fragments are
// counted once, where they are defined).
func (c *docCounts) selections(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				c.aliases++
			}
			c.directives += len(s.Directives)
			c.selections(s.SelectionSet)
		case *ast.InlineFragment:
			c.directives += len(s.Directives)
			c.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			c.directives += len(s.Directives)
		}
	}
}
