package graph

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/graph/args"
	"cyberkg/graph/generated"
)

// The schema states each size argument's default to clients; args states it
// to the resolvers, the prefetch and the cost model. They must agree, on
// every type that has the field, and no size argument may be left out. A
// connection's first has no default in the schema (last may be given in its
// place), so its description states it; a deprecated name (args' Also)
// takes the same range without a default of its own.
func TestSchemaDefaultsAreTheArgsDefaults(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	known, also := map[string]args.Int{}, map[string]args.Int{}
	for _, a := range args.All {
		known[a.Field+"."+a.Name] = a
		for _, name := range a.Also {
			also[a.Field+"."+name] = a
		}
	}
	seen := map[string]bool{}
	for _, typ := range schema.Types {
		if strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			for _, arg := range f.Arguments {
				if arg.Type.Name() != "Int" || arg.Name == "expectedVersion" { // a version, not a size
					continue
				}
				field := typ.Name + "." + f.Name
				if (f.Name == "relationships" || f.Name == "relationshipsConnection") && isEntity(typ) {
					field = "Entity." + f.Name
				}
				key := field + "." + arg.Name
				if a, ok := also[key]; ok {
					if arg.DefaultValue != nil {
						t.Errorf("%s.%s(%s) stands for %s and has a default of its own", typ.Name, f.Name, arg.Name, a.Name)
					}
					continue
				}
				a, ok := known[key]
				if !ok {
					t.Errorf("%s.%s(%s) is not in args.All", typ.Name, f.Name, arg.Name)
					continue
				}
				seen[key] = true
				switch {
				case arg.DefaultValue == nil && slices.Contains(a.Also, "last"):
					if !strings.Contains(arg.Description, strconv.Itoa(a.Default)+" when neither") {
						t.Errorf("%s.%s(%s): description %q does not state the default %d", typ.Name, f.Name, arg.Name, arg.Description, a.Default)
					}
				case arg.DefaultValue == nil || arg.DefaultValue.Raw != strconv.Itoa(a.Default):
					t.Errorf("%s.%s(%s) defaults to %v in the schema, %d in args", typ.Name, f.Name, arg.Name, arg.DefaultValue, a.Default)
				}
			}
		}
	}
	for key := range known {
		if !seen[key] {
			t.Errorf("args has %s, which the schema does not", key)
		}
	}
}

func isEntity(d *ast.Definition) bool {
	return d.Name == "Entity" || slices.Contains(d.Interfaces, "Entity")
}
