// Package plan walks a validated GraphQL operation once, before any
// resolver runs, and records everything later stages need: what the
// operation can cost, how deep it is, which properties of entities and
// relationships it reads, and which relationship levels it selects below
// each field, with their filters and limits, so that they can be fetched a
// level at a time. Resolvers, loaders and the store read the plan; nothing
// else walks the selection.
//
// The walk is generic: it knows the schema's types (an entity is a type
// that is or implements Entity; relationships are of type Relationship) and
// the conventions of its arguments (a list's size is its first, last or
// limit argument, bounded by graph/args when that states a range), never a
// list of field names. A new field is costed, projected and prefetched by
// what its type and arguments say.
package plan

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/graph/args"
	"cyberkg/kg"
	"cyberkg/store"
)

// The schema's two domain types, whose fields are the store's properties.
const (
	entityType       = "Entity"
	relationshipType = "Relationship"
)

const (
	// RootCost is the least a root field that reaches Neo4j costs, however
	// little it selects: each is at least one round trip.
	RootCost = 100
	// TotalCountCost is what a totalCount costs: Neo4j counts without
	// returning, but still touches what it counts.
	TotalCountCost = 1000
	// UnsizedList is the size assumed for a list without a size argument
	// of its own or its parent's (an entity's facts and evidence, a
	// relationship's claimants): a handful in the brief.
	UnsizedList = 5
	// maxFields bounds the walk: fragments spread in fragments can make a
	// short document name millions of fields. An operation that reaches
	// this many costs the most there is, so the budget refuses it.
	maxFields = 100_000
	// maxCost keeps sums and products from overflowing: a cost this high is
	// over any budget.
	maxCost = 1 << 40
)

// sizeArgs are the arguments that bound how many items a field returns,
// and hopArgs those that bound a path's length (its lists hold one more).
var (
	sizeArgs = []string{"first", "last", "limit"}
	hopArgs  = []string{"maxHops"}
)

// Plan is what one operation will do.
type Plan struct {
	Cost  int // the most objects the response can hold (see cost)
	Depth int // levels of fields, introspection left out
	// Admitted is true once Extension has let the operation through.
	Admitted bool
	// TooLong is the first list argument longer than its maximum
	// (args.ListMax), or nil: the walk that sizes lists checks them too.
	TooLong *TooLong

	// Reads is what the operation reads of entities and relationships,
	// over the whole operation: the loaders share what one field fetched
	// with every other, so an entity read without its evidence must never
	// reach a field that shows it.
	Reads store.Projection

	levels   map[*ast.Field][]*Level
	children map[*ast.Field]map[string]bool
	entities map[*ast.Field]bool
}

// TooLong is a list argument, or a list inside an input object, longer
// than the most it takes.
type TooLong struct {
	Where    string // "Type.field(argument)", or "Input.field" inside an input
	Max, Got int
}

// Level is one relationships field of the operation: the relationships of
// the entities it is selected on, fetched with one filter and limit, and
// the levels selected on the entities at their ends.
type Level struct {
	Field  *ast.Field
	Filter store.RelFilter
	Limit  int
	Next   []*Level
}

// New plans op with its variables against schema. op must have passed
// validation.
func New(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) *Plan {
	w := &walker{
		schema:   schema,
		vars:     vars,
		plan:     &Plan{levels: map[*ast.Field][]*Level{}, children: map[*ast.Field]map[string]bool{}, entities: map[*ast.Field]bool{}},
		entity:   map[string]bool{},
		relation: map[string]bool{},
	}
	p := w.plan
	for _, f := range w.fields(op.SelectionSet) {
		if strings.HasPrefix(f.Name, "__") {
			continue // introspection and __typename: answered from the schema
		}
		cost, depth := w.field(f, -1)
		p.levels[f] = w.levelsBelow(f)
		p.entities[f] = w.reachesEntity(f.SelectionSet)
		p.Cost = sat(p.Cost + max(cost, RootCost))
		p.Depth = max(p.Depth, depth)
	}
	if w.visited > maxFields {
		p.Cost = maxCost
	}
	p.Reads = store.Project(keys(w.entity), keys(w.relation))
	return p
}

// Levels are the relationship levels selected on the entities that root
// field returns (directly or inside the objects it returns, not through other
// entities), in the order the operation names them.
func (p *Plan) Levels(field *ast.Field) []*Level {
	if p == nil {
		return nil
	}
	return p.levels[field]
}

// Selects reports whether field's selection names one of the fields named
// (fields of its own type, through fragments too).
func (p *Plan) Selects(field *ast.Field, names ...string) bool {
	if p == nil {
		return true // unplanned: assume everything is wanted
	}
	for _, n := range names {
		if p.children[field][n] {
			return true
		}
	}
	return false
}

// SelectsEntities reports whether an entity is selected anywhere below
// root field (a relationship's ends, say), so that its resolver can load them
// in one batch rather than each on its own.
func (p *Plan) SelectsEntities(field *ast.Field) bool {
	return p == nil || p.entities[field]
}

// ReadsOf is the projection of a plan that may be nil (a store call made
// outside an operation): then everything.
func ReadsOf(p *Plan) store.Projection {
	if p == nil {
		return store.All
	}
	return p.Reads
}

type walker struct {
	schema           *ast.Schema
	vars             map[string]any
	plan             *Plan
	entity, relation map[string]bool
	visited          int
}

func (w *walker) fields(set ast.SelectionSet) []*ast.Field { return Fields(set) }

// Fields flattens fragments: a selection's fields are those of every
// fragment it spreads, whatever the type condition (validation has refused
// fragment cycles and fields that do not exist).
func Fields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, Fields(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, Fields(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

// field walks f with everything below it and returns its cost (every
// object it can return counts one, multiplied through lists by their size)
// and its depth. inherited is the size its parent gives an unsized list
// (a connection's first, for its nodes and edges), or -1.
func (w *walker) field(f *ast.Field, inherited int) (cost, depth int) {
	if f.Definition == nil || strings.HasPrefix(f.Name, "__") {
		return 0, 0
	}
	w.visited++
	if w.visited > maxFields {
		return maxCost, 1
	}
	m := f.ArgumentMap(w.vars)
	w.record(f)
	if w.plan.TooLong == nil {
		for _, a := range f.Definition.Arguments {
			w.plan.TooLong = w.tooLong(f.ObjectDefinition.Name+"."+f.Name+"("+a.Name+")", a.Type, m[a.Name])
			if w.plan.TooLong != nil {
				break
			}
		}
	}

	weight := sat(costWeight(f.Definition) + argWeights(f.Definition, m))
	if len(f.SelectionSet) == 0 {
		return weight, 1 // a scalar or an enum: free, unless it counts (totalCount)
	}
	size, sized := w.size(f, m)
	pass := -1 // what this field's unsized lists below get
	if hops, ok := w.hops(f, m); ok {
		pass = hops + 1 // a path's lists hold hops+1 items at most
	}
	if sized && f.Definition.Type.Elem == nil {
		pass = size // a page or subgraph: its lists hold size items
	}
	children, deepest := 0, 0
	for _, c := range w.fields(f.SelectionSet) {
		cc, cd := w.field(c, pass)
		children = sat(children + cc)
		deepest = max(deepest, cd)
	}
	if f.Definition.Type.Elem == nil {
		return sat(weight + 1 + children), 1 + deepest
	}
	n := UnsizedList
	switch {
	case sized:
		n = size
	case inherited >= 0:
		n = inherited
	}
	return sat(weight + each(n, children)), 1 + deepest
}

// tooLong checks value, of type t, named where, and what it holds, against
// the most items each list takes.
func (w *walker) tooLong(where string, t *ast.Type, value any) *TooLong {
	switch v := value.(type) {
	case []any:
		if t.Elem == nil {
			return nil
		}
		if max := args.ListMax(w.schema, t.Elem); len(v) > max {
			return &TooLong{Where: where, Max: max, Got: len(v)}
		}
		for _, item := range v {
			if tl := w.tooLong(where, t.Elem, item); tl != nil {
				return tl
			}
		}
	case map[string]any:
		def := w.schema.Types[t.Name()]
		if def == nil || def.Kind != ast.InputObject {
			return nil
		}
		for _, fd := range def.Fields {
			if tl := w.tooLong(def.Name+"."+fd.Name, fd.Type, v[fd.Name]); tl != nil {
				return tl
			}
		}
	}
	return nil
}

// costWeight is what the schema's @cost directive says resolving field d
// costs beyond the objects it returns (a count: TotalCountCost), or 0.
func costWeight(d *ast.FieldDefinition) int { return weightOf(d.Directives) }

// argWeights is what the @cost directives on d's arguments add for those
// given a value (m): an argument that makes the same field read more (a
// record time) says so where it is declared.
func argWeights(d *ast.FieldDefinition, m map[string]any) int {
	w := 0
	for _, a := range d.Arguments {
		if m[a.Name] != nil {
			w = sat(w + weightOf(a.Directives))
		}
	}
	return w
}

func weightOf(ds ast.DirectiveList) int {
	dir := ds.ForName("cost")
	if dir == nil {
		return 0
	}
	v, err := dir.ArgumentMap(nil)["weight"].(int64)
	if !err {
		return 0
	}
	return int(v)
}

// size is f's size argument, bounded by the range graph/args states for it
// so that a request refused for a bad value still costs a finite amount.
// Where several size arguments are given (a deprecated name beside its
// replacement), the largest bounds the cost. A list field without one that
// takes a list of ids returns at most one item per id (nodes(ids:)).
func (w *walker) size(f *ast.Field, m map[string]any) (int, bool) {
	size, sized := 0, false
	for _, explicit := range []bool{true, false} { // given ones first: a default does not outbid them
		for _, name := range sizeArgs {
			if n, ok := intArg(m, name); ok && (!explicit || f.Arguments.ForName(name) != nil) {
				size, sized = max(size, w.bound(f, name, n)), true
			}
		}
		if sized {
			break
		}
	}
	if sized || f.Definition.Type.Elem == nil {
		return size, sized
	}
	for _, a := range f.Definition.Arguments {
		if a.Type.Elem != nil && a.Type.Elem.Name() == "ID" {
			if ids, ok := m[a.Name].([]any); ok {
				return len(ids), true
			}
		}
	}
	return 0, false
}

func (w *walker) hops(f *ast.Field, m map[string]any) (int, bool) {
	for _, name := range hopArgs {
		if n, ok := intArg(m, name); ok {
			return w.bound(f, name, n), true
		}
	}
	return 0, false
}

func (w *walker) bound(f *ast.Field, name string, n int) int {
	for _, t := range typeNames(f.ObjectDefinition) {
		if a, ok := args.Lookup(t+"."+f.Name, name); ok {
			return min(max(n, a.Min), a.Max)
		}
	}
	return max(n, 0)
}

func intArg(m map[string]any, name string) (int, bool) {
	switch v := m[name].(type) {
	case int64:
		return int(v), true
	case int:
		return v, true
	}
	return 0, false
}

// record notes what f reads and what is selected on it.
func (w *walker) record(f *ast.Field) {
	switch {
	case isA(f.ObjectDefinition, entityType):
		w.entity[f.Name] = true
	case isA(f.ObjectDefinition, relationshipType):
		w.relation[f.Name] = true
	}
	if len(f.SelectionSet) == 0 {
		return
	}
	names := map[string]bool{}
	for _, c := range w.fields(f.SelectionSet) {
		names[c.Name] = true
	}
	w.plan.children[f] = names
}

// levelsBelow are the relationship levels on the entities f returns: f
// itself if it is an entity, else the entities among the objects below it,
// not through other levels.
func (w *walker) levelsBelow(f *ast.Field) []*Level {
	if w.isEntity(f) {
		return w.levelsOn(f.SelectionSet)
	}
	var out []*Level
	for _, c := range w.fields(f.SelectionSet) {
		if len(c.SelectionSet) == 0 || c.Definition == nil || w.isLevel(c) {
			continue
		}
		out = append(out, w.levelsBelow(c)...)
	}
	return out
}

// levelsOn are the levels selected on one entity's selection.
func (w *walker) levelsOn(set ast.SelectionSet) []*Level {
	var out []*Level
	for _, c := range w.fields(set) {
		if !w.isLevel(c) {
			continue
		}
		filter, limit, ok := relArgs(c.ArgumentMap(w.vars))
		if !ok {
			continue // the resolver will report the bad argument
		}
		l := &Level{Field: c, Filter: filter, Limit: limit}
		// The entities at a relationship's ends (and its claimants, so a
		// level selected on them is fetched for the ends too: a query too
		// many, never a wrong answer).
		for _, end := range w.fields(c.SelectionSet) {
			if w.isEntity(end) {
				l.Next = append(l.Next, w.levelsOn(end.SelectionSet)...)
			}
		}
		out = append(out, l)
	}
	return out
}

// isLevel: a list of relationships selected on an entity.
func (w *walker) isLevel(f *ast.Field) bool {
	return f.Definition != nil && f.Definition.Type.Elem != nil && f.Definition.Type.Name() == relationshipType &&
		isA(f.ObjectDefinition, entityType)
}

// isEntity: a field whose value is an entity or a list of them.
func (w *walker) isEntity(f *ast.Field) bool {
	return f.Definition != nil && f.Definition.Type.Name() == entityType
}

func (w *walker) reachesEntity(set ast.SelectionSet) bool {
	for _, c := range w.fields(set) {
		if w.isEntity(c) || w.reachesEntity(c.SelectionSet) {
			return true
		}
	}
	return false
}

// relArgs reads the arguments of a relationships field, coerced by
// validation and with the schema's defaults applied.
func relArgs(m map[string]any) (f store.RelFilter, limit int, ok bool) {
	f.Direction = store.Both
	limit, ok = intArg(m, "first")
	if !ok || !args.EntityRelationships.Valid(limit) {
		return f, 0, false
	}
	if ts, ok := m["types"].([]any); ok {
		for _, t := range ts {
			info, ok := kg.LookupRelType(asString(t))
			if !ok {
				return f, 0, false
			}
			f.Types = append(f.Types, info.Type)
		}
	}
	if d, ok := m["direction"]; ok && d != nil {
		f.Direction = store.Direction(asString(d))
	}
	if a, ok := m["asOf"]; ok && a != nil {
		d, err := kg.ParseDate(asString(a))
		if err != nil {
			return f, 0, false
		}
		f.AsOf = d
	}
	return f, limit, true
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// isA reports whether d is the type named or implements it.
func isA(d *ast.Definition, name string) bool {
	if d == nil {
		return false
	}
	for _, t := range typeNames(d) {
		if t == name {
			return true
		}
	}
	return false
}

// typeNames are d's name and the interfaces it implements.
func typeNames(d *ast.Definition) []string {
	if d == nil {
		return nil
	}
	return append([]string{d.Name}, d.Interfaces...)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// each is the cost of n items that cost child each besides themselves.
func each(n, child int) int {
	if n > 0 && sat(1+child) > maxCost/n {
		return maxCost
	}
	return n * sat(1+child)
}

func sat(n int) int { return min(n, maxCost) }

// OfOperation is the plan of operation oc, or nil when it was not planned.
func OfOperation(oc *graphql.OperationContext) *Plan {
	p, _ := oc.Stats.GetExtension(extensionName).(*Plan)
	return p
}

// For is the plan of the operation ctx belongs to, or nil.
func For(ctx context.Context) *Plan {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	p, _ := graphql.GetOperationContext(ctx).Stats.GetExtension(extensionName).(*Plan)
	return p
}

// Field is the field being resolved in ctx, or nil.
func Field(ctx context.Context) *ast.Field {
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		return fc.Field.Field
	}
	return nil
}
