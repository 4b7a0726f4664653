// Package args states, once, the default and the range of every integer
// argument that bounds how much a field returns. The resolvers check values
// with it, the look-ahead prefetch reads it, and the cost model multiplies by
// it; a test holds the schema's declared defaults to the same numbers.
package args

import "cyberkg/errs"

// Int is one integer argument: its name, its default and its allowed range.
type Int struct {
	Field    string // "Type.field", as the schema names it
	Name     string
	Default  int
	Min, Max int
}

// The size and depth arguments of the API.
var (
	EntityRelationships = Int{"Entity.relationships", "first", 100, 0, 1000}
	Search              = Int{"Query.search", "first", 10, 1, 100}
	EntitiesPage        = Int{"Query.entities", "first", 20, 0, 100}
	RelationshipsPage   = Int{"Query.relationships", "first", 20, 0, 100}
	TimelinePage        = Int{"Query.timeline", "first", 50, 0, 100}
	NeighborhoodDepth   = Int{"Query.neighborhood", "depth", 1, 1, 3}
	NeighborhoodLimit   = Int{"Query.neighborhood", "limit", 200, 1, 1000}
	PathHops            = Int{"Query.paths", "maxHops", 4, 1, 6}
	PathLimit           = Int{"Query.paths", "limit", 5, 1, 50}
	ChainHops           = Int{"Query.chain", "maxHops", 4, 1, 8}
	ChainLimit          = Int{"Query.chain", "limit", 200, 1, 1000}
	ChangesPage         = Int{"Query.changes", "first", 20, 0, 100}
)

// All lists every argument above, for the test that compares them with the
// schema.
var All = []Int{EntityRelationships, Search, EntitiesPage, RelationshipsPage, TimelinePage,
	NeighborhoodDepth, NeighborhoodLimit, PathHops, PathLimit, ChainHops, ChainLimit, ChangesPage}

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
	switch v := m[a.Name].(type) {
	case int64:
		return int(v)
	case int:
		return v
	}
	return a.Default
}

// Bound is what the argument can make a field return at most: the value
// clamped to the range, so that the cost of a request refused for a bad
// value is still finite.
func (a Int) Bound(m map[string]any) int { return min(max(a.From(m), a.Min), a.Max) }
