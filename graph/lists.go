package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cyberkg/graph/args"
	"cyberkg/graph/plan"
)

const errListTooLong = "LIST_TOO_LONG"

func init() { errcode.RegisterErrorType(errListTooLong, errcode.KindProtocol) }

// ListLimits refuses, before any resolver runs, an operation that passes a
// list argument (or a list inside an input object) longer than its maximum
// (args.ListMax): every list argument has one, and each one's description
// states it.
type ListLimits struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*ListLimits)(nil)

func (*ListLimits) ExtensionName() string { return "ListLimits" }

func (l *ListLimits) Validate(s graphql.ExecutableSchema) error {
	l.schema = s.Schema()
	return nil
}

func (l *ListLimits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	var walk func(set ast.SelectionSet) *gqlerror.Error
	walk = func(set ast.SelectionSet) *gqlerror.Error {
		for _, f := range plan.Fields(set) {
			if f.Definition == nil || strings.HasPrefix(f.Name, "__") {
				continue
			}
			values := f.ArgumentMap(oc.Variables)
			for _, a := range f.Definition.Arguments {
				if err := l.check(f.ObjectDefinition.Name+"."+f.Name+"("+a.Name+")", a.Type, values[a.Name]); err != nil {
					return err
				}
			}
			if err := walk(f.SelectionSet); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(oc.Operation.SelectionSet)
}

// check checks value, of type t, named where, and what it holds.
func (l *ListLimits) check(where string, t *ast.Type, value any) *gqlerror.Error {
	switch v := value.(type) {
	case []any:
		if t.Elem == nil {
			return nil
		}
		if max := args.ListMax(l.schema, t.Elem); len(v) > max {
			err := gqlerror.Errorf("%s takes at most %d items, got %d", where, max, len(v))
			errcode.Set(err, errListTooLong)
			return err
		}
		for _, item := range v {
			if err := l.check(where, t.Elem, item); err != nil {
				return err
			}
		}
	case map[string]any:
		def := l.schema.Types[t.Name()]
		if def == nil || def.Kind != ast.InputObject {
			return nil
		}
		for _, fd := range def.Fields {
			if err := l.check(def.Name+"."+fd.Name, fd.Type, v[fd.Name]); err != nil {
				return err
			}
		}
	}
	return nil
}
