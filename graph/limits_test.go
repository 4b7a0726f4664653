package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
)

// A document the limits passed is not counted again, and one they refused
// is refused every time it comes back: remembering verdicts must not let a
// refused document through on its second try.
func TestDocumentLimitsRememberOnlyWhatPassed(t *testing.T) {
	ctx := context.Background()
	passed := lru.New[struct{}](10)
	limits := DocumentLimits{MaxTokens: 5000, MaxAliases: 2, MaxDirectives: 5, Passed: passed}
	ok := `{ a: stats { entities } b: stats { entities } }`
	refused := `{ a: stats { entities } b: stats { entities } c: stats { entities } }`
	manyDirectives := `{ stats { entities` + strings.Repeat(" @include(if: true)", 6) + ` } }`
	for try := 1; try <= 2; try++ {
		if err := limits.MutateOperationParameters(ctx, &graphql.RawParams{Query: ok}); err != nil {
			t.Fatalf("try %d: two aliases refused: %v", try, err)
		}
		for _, q := range []string{refused, manyDirectives} {
			if err := limits.MutateOperationParameters(ctx, &graphql.RawParams{Query: q}); err == nil {
				t.Fatalf("try %d: %q passed", try, q)
			}
			if _, kept := passed.Get(ctx, q); kept {
				t.Fatalf("try %d: refused %q was remembered", try, q)
			}
		}
	}
	if _, kept := passed.Get(ctx, ok); !kept {
		t.Fatal("the document that passed was not remembered")
	}
}
