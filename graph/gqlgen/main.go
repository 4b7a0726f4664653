// Command gqlgen runs gqlgen's generator, as `go tool gqlgen generate`
// would, then has the generated code marshal lists through marshalList,
// resolve an object's resolver fields through resolveField, collect an
// object's fields through collectFields and make @defer groups through
// newDeferredGroup (graph/generated/lists.go): not always a goroutine per
// list item and per resolver field, nor deferred parts that our
// one-response transports would drop. `make generate` runs it, and
// scripts/check checks its output is current.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

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
// collected fields, fields. The last one drops @defer (collectFields).
var rewrites = []struct{ gqlgen, ours []byte }{
	{[]byte("graphql.MarshalSliceConcurrently(ctx, len(v), "), []byte("marshalList(ctx, sel, len(v), ")},
	{[]byte("out.ResolveConcurrently(ec.OperationContext, &deferred, i,"), []byte("resolveField(ctx, out, field, ec.OperationContext, &deferred, i,")},
	{[]byte("deferred := graphql.NewDeferredGroup(ctx)"), []byte("deferred := newDeferredGroup(ctx, fields)")},
	{[]byte("graphql.CollectFields(ec.OperationContext, sel, "), []byte("collectFields(ec.OperationContext, sel, ")},
}

// reroute applies the rewrites. Finding none of a call means a gqlgen
// upgrade changed it, and says so rather than leave the code on gqlgen's
// way unnoticed.
func reroute(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no generated files in %s: %v", dir, err)
	}
	routed := make([]int, len(rewrites))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		changed := false
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
	for i, n := range routed {
		if n == 0 {
			return fmt.Errorf("no %q in the generated code: gqlgen changed it; update graph/gqlgen", rewrites[i].gqlgen)
		}
	}
	return nil
}
