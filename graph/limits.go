package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

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
type DocumentLimits struct {
	MaxTokens, MaxAliases, MaxDirectives int
	// Passed, if set, remembers documents that passed, whose verdict
	// depends on their text alone: a client sends the same few documents
	// again and again, and parsing each again here cost a cached answer
	// about a sixteenth of its CPU (the executor's query cache already
	// spares it the parse there). Refused documents are not remembered.
	Passed graphql.Cache[struct{}]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = DocumentLimits{}

func (DocumentLimits) ExtensionName() string                   { return "DocumentLimits" }
func (DocumentLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l DocumentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if l.Passed != nil {
		if _, ok := l.Passed.Get(ctx, p.Query); ok {
			return nil
		}
	}
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
	if l.Passed != nil {
		l.Passed.Add(ctx, p.Query, struct{}{})
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
