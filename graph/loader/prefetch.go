package loader

import (
	"context"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	argspec "cyberkg/graph/args"
	"cyberkg/kg"
	"cyberkg/store"
)

// Batching by a time window alone leaves the round trips of a nested query to
// chance: items of a long list reach their loader a few milliseconds apart
// and land in several batches. So roots that return entities also look ahead
// in the query: for the relationships it selects on those entities, and on
// the entities at their ends, level by level, they fetch each level in one
// query and prime the loaders. A nested query then costs one query per level
// of relationships, whatever the page size; the window batching remains for
// whatever the look-ahead does not cover.

// prefetched records which (entity, filter) pairs are already primed, and
// which relationships fields of the query the look-ahead has primed for
// every entity that reaches them.
type prefetched struct {
	mu      sync.Mutex
	done    map[relKey]bool
	covered map[*ast.Field]bool
}

// Covered reports whether the request's look-ahead has fetched this
// relationships field for every entity it is selected on, so that
// resolving it waits on nothing. (A field of a fragment spread in two places
// counts as covered if either was: resolving the other then waits on the
// loader's batch, which is slower, never wrong.)
func Covered(ctx context.Context, field *ast.Field) bool {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		return false
	}
	l.pre.mu.Lock()
	defer l.pre.mu.Unlock()
	return l.pre.covered[field]
}

func (l *Loaders) cover(field *ast.Field) {
	l.pre.mu.Lock()
	defer l.pre.mu.Unlock()
	if l.pre.covered == nil {
		l.pre.covered = map[*ast.Field]bool{}
	}
	l.pre.covered[field] = true
}

// Prefetch is told the entities a root field returns: it primes the entity
// loader with them, and the relationships loader with the relationships the
// query selects on them. paths say where the entities sit below the root
// field ("nodes", "edges.node"; "" for the root itself).
func (l *Loaders) Prefetch(ctx context.Context, entities []kg.Entity, paths ...string) {
	l.Prime(entities...)
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) || len(entities) == 0 {
		return
	}
	op := graphql.GetOperationContext(ctx) // panics without one: checked above
	var fields []*ast.Field
	for _, p := range paths {
		sel := fc.Field.Selections
		if p != "" {
			for _, name := range strings.Split(p, ".") {
				sel = childSelections(sel, name)
			}
		}
		fields = append(fields, fieldsNamed(sel, "relationships")...)
	}
	ids := make([]string, len(entities))
	for i, e := range entities {
		ids[i] = e.ID
	}
	l.prefetch(ctx, ids, fields, op.Variables)
}

func (l *Loaders) prefetch(ctx context.Context, ids []string, fields []*ast.Field, vars map[string]any) {
	for _, field := range fields {
		f, limit, ok := relArgs(field.ArgumentMap(vars))
		if !ok {
			continue // the resolver will report the bad argument
		}
		todo := l.claim(ids, f, limit)
		if len(todo) == 0 {
			l.cover(field)
			continue
		}
		byID, ends, err := l.store.RelationshipsOf(l.Scope(ctx), todo, f, limit)
		if err != nil {
			l.release(todo, f, limit) // the loaders will try again and report the error
			return
		}
		l.cover(field)
		l.primed(ctx, byID, ends, todo, field, f, limit, vars)
	}
}

// primed puts relationships fetched for field into the loaders, and looks
// ahead to the relationships the query selects on their ends.
func (l *Loaders) primed(ctx context.Context, byID map[string][]kg.Relationship, ends []kg.Entity, ids []string, field *ast.Field, f store.RelFilter, limit int, vars map[string]any) {
	l.Prime(ends...)
	var next []string
	for _, id := range ids {
		rels := nonNil(byID[id])
		l.relationships.Prime(keyOf(id, f, limit), rels)
		for _, r := range rels {
			next = append(next, r.From, r.To)
		}
	}
	var nested []*ast.Field
	for _, end := range []string{"from", "to"} {
		nested = append(nested, fieldsNamed(childSelections(field.SelectionSet, end), "relationships")...)
	}
	if len(nested) > 0 {
		l.prefetch(ctx, dedupe(next), nested, vars)
	}
}

// soleRelationships returns the relationships field selected on the
// current (root) field, its arguments and the operation's variables, when
// there is exactly one such field.
func soleRelationships(ctx context.Context) (field *ast.Field, f store.RelFilter, limit int, vars map[string]any, ok bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return nil, f, 0, nil, false
	}
	fields := fieldsNamed(fc.Field.Selections, "relationships")
	if len(fields) != 1 {
		return nil, f, 0, nil, false
	}
	vars = graphql.GetOperationContext(ctx).Variables
	f, limit, ok = relArgs(fields[0].ArgumentMap(vars))
	return fields[0], f, limit, vars, ok
}

// claim returns the ids not yet fetched with f and limit, marking them fetched.
func (l *Loaders) claim(ids []string, f store.RelFilter, limit int) []string {
	l.pre.mu.Lock()
	defer l.pre.mu.Unlock()
	var todo []string
	for _, id := range ids {
		if k := keyOf(id, f, limit); !l.pre.done[k] {
			l.pre.done[k] = true
			todo = append(todo, id)
		}
	}
	return todo
}

func (l *Loaders) release(ids []string, f store.RelFilter, limit int) {
	l.pre.mu.Lock()
	defer l.pre.mu.Unlock()
	for _, id := range ids {
		delete(l.pre.done, keyOf(id, f, limit))
	}
}

// relArgs reads the arguments of a relationships field, already coerced by
// validation and with defaults applied.
func relArgs(args map[string]any) (f store.RelFilter, limit int, ok bool) {
	f.Direction = store.Both
	first, isInt := args["first"].(int64)
	if !isInt {
		return f, 0, false
	}
	limit = int(first)
	if ts, ok := args["types"].([]any); ok {
		for _, t := range ts {
			info, ok := kg.LookupRelType(asString(t))
			if !ok {
				return f, 0, false
			}
			f.Types = append(f.Types, info.Type)
		}
	}
	if d, ok := args["direction"]; ok && d != nil {
		f.Direction = store.Direction(asString(d))
	}
	if a, ok := args["asOf"]; ok && a != nil {
		d, err := kg.ParseDate(asString(a))
		if err != nil {
			return f, 0, false
		}
		f.AsOf = d
	}
	return f, limit, argspec.EntityRelationships.Valid(limit)
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

// fieldsNamed returns the fields called name in a selection set, looking
// through fragments whatever their type condition: prefetching a little too
// much is harmless, and entities of every kind share these fields.
func fieldsNamed(set ast.SelectionSet, name string) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				out = append(out, s)
			}
		case *ast.InlineFragment:
			out = append(out, fieldsNamed(s.SelectionSet, name)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, fieldsNamed(s.Definition.SelectionSet, name)...)
			}
		}
	}
	return out
}

// childSelections merges the selections of every field called name.
func childSelections(set ast.SelectionSet, name string) ast.SelectionSet {
	var out ast.SelectionSet
	for _, f := range fieldsNamed(set, name) {
		out = append(out, f.SelectionSet...)
	}
	return out
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// PrimeEnds loads, in one batch, the entities at the ends of rels when the
// query selects from or to below one of paths of the current field
// ("nodes", "edges.node"), so that resolving them finds them cached rather
// than each waiting on a batch of its own.
func (l *Loaders) PrimeEnds(ctx context.Context, rels []kg.Relationship, paths ...string) error {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(rels) == 0 {
		return nil
	}
	selected := false
	for _, p := range paths {
		sel := fc.Field.Selections
		for _, name := range strings.Split(p, ".") {
			sel = childSelections(sel, name)
		}
		selected = selected || len(fieldsNamed(sel, "from")) > 0 || len(fieldsNamed(sel, "to")) > 0
	}
	if !selected {
		return nil
	}
	ids := make([]string, 0, 2*len(rels))
	for _, r := range rels {
		ids = append(ids, r.From, r.To)
	}
	_, err := l.Entities(ctx, dedupe(ids))
	return err
}
