package graph

import (
	"strconv"
	"strings"
	"testing"

	"cyberkg/graph/args"
	"cyberkg/graph/generated"
)

// The schema states each size argument's default to clients; args states it
// to the resolvers, the prefetch and the cost model. They must agree, on
// every type that has the field, and no size argument may be left out.
func TestSchemaDefaultsAreTheArgsDefaults(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	known := map[string]args.Int{}
	for _, a := range args.All {
		known[a.Field+"."+a.Name] = a
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
				key := typ.Name + "." + f.Name + "." + arg.Name
				if f.Name == "relationships" && isEntity(typ) {
					key = "Entity.relationships." + arg.Name
				}
				a, ok := known[key]
				if !ok {
					t.Errorf("%s.%s(%s) is not in args.All", typ.Name, f.Name, arg.Name)
					continue
				}
				seen[key] = true
				if arg.DefaultValue == nil || arg.DefaultValue.Raw != strconv.Itoa(a.Default) {
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
