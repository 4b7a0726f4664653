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
// arguments after sel.
func routeLists(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no generated files in %s: %v", dir, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if out := bytes.ReplaceAll(b, gqlgenList, ourList); !bytes.Equal(out, b) {
			if err := os.WriteFile(f, out, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
