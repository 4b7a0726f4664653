// Package args states, once, the default and the range of every integer
// argument that bounds how much a field returns. The resolvers check values
// with it, the look-ahead prefetch reads it, and the cost model multiplies by
// it; a test holds the schema's declared defaults to the same numbers.
package args

import (
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/errs"
)

// Int is one integer argument: its name, its default and its allowed range.
// Also names the arguments that set the same size in its place: a
// connection's last, or the deprecated name an argument had before (which
// wins when given).
type Int struct {
	Field    string // "Type.field", as the schema names it
	Name     string
	Default  int
	Min, Max int
	Also     []string
}

// The size and depth arguments of the API. Connections take first (or
// last) from 0 to 100; subgraphs and paths take first from 1; hops are
// maxHops.
var (
	EntityRelationships = Int{"Entity.relationships", "first", 100, 0, 1000, nil}
	RelationshipsOfPage = Int{"Entity.relationshipsConnection", "first", 20, 0, 100, last}
	Search              = Int{"Query.search", "first", 10, 1, 100, nil}
	SearchPage          = Int{"Query.searchConnection", "first", 10, 0, 100, last}
	EntitiesPage        = Int{"Query.entities", "first", 20, 0, 100, last}
	RelationshipsPage   = Int{"Query.relationships", "first", 20, 0, 100, last}
	TimelinePage        = Int{"Query.timeline", "first", 50, 0, 100, last}
	NeighborhoodDepth   = Int{"Query.neighborhood", "maxHops", 1, 1, 3, []string{"depth"}}
	NeighborhoodLimit   = Int{"Query.neighborhood", "first", 200, 1, 1000, []string{"limit"}}
	PathHops            = Int{"Query.paths", "maxHops", 4, 1, 6, nil}
	PathLimit           = Int{"Query.paths", "first", 5, 1, 50, []string{"limit"}}
	ChainHops           = Int{"Query.chain", "maxHops", 4, 1, 8, nil}
	ChainLimit          = Int{"Query.chain", "first", 200, 1, 1000, []string{"limit"}}
	ChangesPage         = Int{"Query.changes", "first", 20, 0, 100, nil}
)

var last = []string{"last"}

// All lists every argument above, for the test that compares them with the
// schema.
var All = []Int{EntityRelationships, RelationshipsOfPage, Search, SearchPage, EntitiesPage, RelationshipsPage, TimelinePage,
	NeighborhoodDepth, NeighborhoodLimit, PathHops, PathLimit, ChainHops, ChainLimit, ChangesPage}

// Given is Value of the deprecated argument old when given, else of v.
func (a Int) Given(v, old *int) (int, error) {
	if old != nil {
		a.Name = a.Also[0]
		return a.Value(old)
	}
	return a.Value(v)
}

// Value returns *v, or the default when v is nil (an explicit null), checked
// to lie in the range.
func (a Int) Value(v *int) (int, error) {
	n := a.Default
	if v != nil {
		n = *v
	}
	if !a.Valid(n) {
		return 0, errs.Invalidf("%s must be between %d and %d, got %d", a.Name, a.Min, a.Max, n)
	}
	return n, nil
}

// Valid reports whether n lies in the argument's range.
func (a Int) Valid(n int) bool { return n >= a.Min && n <= a.Max }

// From reads the argument from a field's coerced argument map (as
// ast.Field.ArgumentMap gives it, schema defaults applied): the value, or the
// default when absent or null.
func (a Int) From(m map[string]any) int {
	for _, name := range append(append([]string{}, a.Also...), a.Name) {
		switch v := m[name].(type) {
		case int64:
			return int(v)
		case int:
			return v
		}
	}
	return a.Default
}

// Bound is what the argument can make a field return at most: the value
// clamped to the range, so that the cost of a request refused for a bad
// value is still finite.
func (a Int) Bound(m map[string]any) int { return min(max(a.From(m), a.Min), a.Max) }

// Lookup is the argument name of field ("Type.field"), if it is one of
// All.
func Lookup(field, name string) (Int, bool) {
	for _, a := range All {
		if a.Field == field && a.Name == name {
			return a, true
		}
	}
	return Int{}, false
}

// MaxItems is the most items a list argument of ids or other values takes.
// A list of an enum's values takes at most as many as the enum has: more
// would only repeat them.
const MaxItems = 100

// ListMax is the most items a list of elem takes.
func ListMax(schema *ast.Schema, elem *ast.Type) int {
	if def := schema.Types[elem.Name()]; def != nil && def.Kind == ast.Enum {
		return len(def.EnumValues)
	}
	return MaxItems
}
