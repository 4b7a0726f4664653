// Command gqlgen runs gqlgen's generator, as `go tool gqlgen generate`
// would, then has the generated code marshal lists through marshalList
// (graph/generated/lists.go) instead of always a goroutine per item.
// `make generate` runs it, and scripts/check checks its output is current.
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
		err = routeLists(cfg.Exec.Dir())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

var (
	gqlgenList = []byte("graphql.MarshalSliceConcurrently(ctx, len(v), ")
	ourList    = []byte("marshalList(ctx, sel, len(v), ")
)

// routeLists rewrites every list marshaller's call (each has the list's
// selection set, sel, in scope) to marshalList, which takes the same
// arguments after sel. Finding none means a gqlgen upgrade changed the call,
// and says so rather than leave every list on gqlgen's way unnoticed.
func routeLists(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no generated files in %s: %v", dir, err)
	}
	routed := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, gqlgenList); n > 0 {
			routed += n
			if err := os.WriteFile(f, bytes.ReplaceAll(b, gqlgenList, ourList), 0o644); err != nil {
				return err
			}
		}
	}
	if routed == 0 {
		return fmt.Errorf("no %q in the generated code: gqlgen's list marshalling changed; update graph/gqlgen", gqlgenList)
	}
	return nil
}
