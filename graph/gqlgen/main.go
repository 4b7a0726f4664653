// Command gqlgen runs gqlgen's generator, as `go tool gqlgen generate`
// would, then has the generated code marshal lists through marshalList,
// resolve an object's resolver fields through resolveField, collect an
// object's fields through collectFields and make @defer groups through
// newDeferredGroup and write objects through object
// (graph/generated/lists.go): not always a goroutine per list item and per
// resolver field, nor deferred parts that our one-response transports
// would drop, nor a map per object. It also marshals plain scalar fields
// without gqlgen's per-field resolution (plainField). `make generate` runs
// it, and scripts/check checks its output is current.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err == nil {
		err = api.Generate(cfg)
	}
	if err == nil {
		err = reroute(cfg.Exec.Dir())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

// rewrites are the calls of the generated code that go elsewhere, each to
// a function of the same arguments after the ones it adds (in scope where
// gqlgen writes the call): a list marshaller's selection set, sel; an
// object field's collected field, field, and the object's out; an object's
// collected fields, fields. collectFields drops @defer; object writes the
// object that its marshaller returns.
var rewrites = []struct{ gqlgen, ours []byte }{
	{[]byte("graphql.MarshalSliceConcurrently(ctx, len(v), "), []byte("marshalList(ctx, sel, len(v), ")},
	{[]byte("out.ResolveConcurrently(ec.OperationContext, &deferred, i,"), []byte("resolveField(ctx, out, field, ec.OperationContext, &deferred, i,")},
	{[]byte("deferred := graphql.NewDeferredGroup(ctx)"), []byte("deferred := newDeferredGroup(ctx, fields)")},
	{[]byte("graphql.CollectFields(ec.OperationContext, sel, "), []byte("collectFields(ec.OperationContext, sel, ")},
	{[]byte("\n\treturn out\n}\n"), []byte("\n\treturn object{fields, out.Values}\n}\n")},
}

// plainField is the generated resolution of a plain scalar field: one an
// object's Go value holds (obj.Name), of a type whose marshaller never
// returns null (ID, String, Int, Boolean and our enums, which marshal as
// strings). gqlgen resolves it as it resolves any field: a field context,
// a context value, the field middleware, results boxed twice, a deferred
// panic guard; on a neighbourhood of 200 entities and relationships that
// was a quarter of the allocations. The rewrite marshals the value
// directly, as GraphQL's default resolver would return it. So field
// middleware (AroundFields) does not see these fields, as tracers commonly
// skip trivial resolvers; it still sees every resolver, object and list
// field.
var plainField = regexp.MustCompile(`(func \(ec \*executionContext\) _\w+_\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*?[\w.]+\) \(ret graphql\.Marshaler\) \{\n)` +
	`\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
	`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.fieldContext_\w+\(ctx, field\)\n\t\t\},\n` +
	`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn (obj\.\w+), nil\n\t\t\},\n` +
	`\t\tnil,\n` +
	`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [\w.]+\) graphql\.Marshaler \{\n` +
	`\t\t\treturn ec\.(marshalN(?:ID2string|String2string|Int2int|Boolean2bool|EntityKind2[^(]+|RelationType2[^(]+|Confidence2[^(]+))\(ctx, selections, v\)\n\t\t\},\n` +
	`\t\ttrue,\n\t\ttrue,\n\t\)\n\}`)

// reroute applies the rewrites. Finding none of a call means a gqlgen
// upgrade changed it, and says so rather than leave the code on gqlgen's
// way unnoticed.
func reroute(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no generated files in %s: %v", dir, err)
	}
	routed, plain := make([]int, len(rewrites)), 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		changed := false
		if n := len(plainField.FindAllIndex(b, -1)); n > 0 {
			plain += n
			b = plainField.ReplaceAll(b, []byte("${1}\treturn ec.${3}(ctx, field.Selections, ${2})\n}"))
			changed = true
		}
		for i, r := range rewrites {
			if n := bytes.Count(b, r.gqlgen); n > 0 {
				routed[i] += n
				b = bytes.ReplaceAll(b, r.gqlgen, r.ours)
				changed = true
			}
		}
		if changed {
			if err := os.WriteFile(f, b, 0o644); err != nil {
				return err
			}
		}
	}
	if plain == 0 {
		return errors.New("no plain scalar field resolved as graph/gqlgen expects: gqlgen changed it; update plainField")
	}
	for i, n := range routed {
		if n == 0 {
			return fmt.Errorf("no %q in the generated code: gqlgen changed it; update graph/gqlgen", rewrites[i].gqlgen)
		}
	}
	return nil
}
