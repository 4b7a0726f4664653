package direct

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/graph/loader"
	"cyberkg/graph/model"
	"cyberkg/graph/plan"
	"cyberkg/kg"
)

// fields are the fields this package writes, by the type that has them
// (every kind's type has Entity's), with the arguments each passes on.
var fields = map[string]map[string]argSpec{
	"Entity": {
		"id": nil, "kind": nil, "name": nil, "aliases": nil, "description": nil, "start": nil, "end": nil, "evidence": nil,
		"relationships": {"types": argRelTypes, "direction": argEnum, "asOf": argDate, "first": argInt},
	},
	"Relationship": {
		"id": nil, "type": nil, "causal": nil, "from": nil, "to": nil, "start": nil, "end": nil,
		"description": nil, "confidence": nil, "evidence": nil,
	},
	"Evidence":         {"locator": nil, "paragraph": nil, "quote": nil, "stance": nil},
	"Subgraph":         {"nodes": nil, "edges": nil, "truncated": nil},
	"Path":             {"length": nil, "nodes": nil, "edges": nil, "strength": nil},
	"SearchHit":        {"score": nil, "entity": nil},
	"EntityConnection": {"nodes": nil, "edges": nil, "pageInfo": nil, "totalCount": nil},
	"EntityEdge":       {"cursor": nil, "node": nil},
	"PageInfo":         {"hasNextPage": nil, "hasPreviousPage": nil, "startCursor": nil, "endCursor": nil},
}

// errUnknown stops a write that meets a value it does not know how to
// write; the operation then goes to gqlgen.
var errUnknown = errors.New("direct: not a value this package writes")

// writer writes one operation's data.
type writer struct {
	ctx context.Context
	oc  *graphql.OperationContext
	x   *Executor
	buf buffer
	// collected are the fields of each selection set on each type: a list
	// of objects collects them once, not once per item.
	collected map[collectKey][]graphql.CollectedField
	// relArgs are the arguments of each relationships field, read once,
	// not once per entity of a list (4% of a nested page's CPU).
	relArgs map[*ast.Field]relArgs
}

type relArgs struct {
	types     []kg.RelType
	direction *model.Direction
	asOf      *kg.Date
	first     *int
}

func (w *writer) relArgsOf(f graphql.CollectedField) relArgs {
	if a, ok := w.relArgs[f.Field]; ok {
		return a
	}
	a := args(f.ArgumentMap(w.oc.Variables))
	ra := relArgs{a.relTypes("types"), enum[model.Direction](a, "direction"), a.date("asOf"), a.int("first")}
	if w.relArgs == nil {
		w.relArgs = map[*ast.Field]relArgs{}
	}
	w.relArgs[f.Field] = ra
	return ra
}

// collectKey names a selection set by where its items lie (merged fields'
// sets are appended, and may share their first item with another's) and
// the type its fields are collected on.
type collectKey struct {
	first    *ast.Selection
	n        int
	typeName string
}

func (w *writer) fields(set ast.SelectionSet, typeName string) []graphql.CollectedField {
	if len(set) == 0 {
		return nil
	}
	k := collectKey{&set[0], len(set), typeName}
	if fs, ok := w.collected[k]; ok {
		return fs
	}
	if w.collected == nil {
		w.collected = map[collectKey][]graphql.CollectedField{}
	}
	fs := graphql.CollectFields(w.oc, set, w.x.satisfies(typeName))
	w.collected[k] = fs
	return fs
}

// operation resolves and writes every root field, in order; ok is false
// when anything below a root failed (gqlgen then answers, with its
// errors). A root whose resolver fails is null, with its error, as gqlgen
// would write it: the whole data when the field may not be null. Those
// errors are added to the response only once the write is done, so that
// a fallback to gqlgen does not report them twice.
func (w *writer) operation() (data []byte, failed []rootError, ok bool) {
	q := w.x.Resolver.Query()
	null := false
	err := w.object("Query", w.oc.Operation.SelectionSet, func(f graphql.CollectedField) error {
		fc := &graphql.FieldContext{Object: "Query", Field: f, Args: map[string]any{}, IsMethod: true, IsResolver: true}
		ctx := graphql.WithFieldContext(w.ctx, fc)
		v, err := roots[f.Name].resolve(ctx, q, f.ArgumentMap(w.oc.Variables))
		if err != nil {
			failed = append(failed, rootError{ctx, err})
			null = null || f.Definition.Type.NonNull
			w.buf.WriteString("null")
			return nil
		}
		return w.value(ctx, f.Selections, v)
	})
	if err != nil {
		return nil, nil, false
	}
	if null {
		return []byte("null"), failed, true
	}
	return w.buf.Bytes(), failed, true
}

// rootError is a root field's error, with the field's context (its path).
type rootError struct {
	ctx context.Context
	err error
}

// object writes the fields of an object of type typeName, each by field.
func (w *writer) object(typeName string, set ast.SelectionSet, field func(graphql.CollectedField) error) error {
	w.buf.WriteByte('{')
	for i, f := range w.fields(set, typeName) {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		graphql.MarshalString(f.Alias).MarshalGQL(&w.buf)
		w.buf.WriteByte(':')
		if f.Name == "__typename" {
			graphql.MarshalString(typeName).MarshalGQL(&w.buf)
			continue
		}
		if err := field(f); err != nil {
			return err
		}
	}
	w.buf.WriteByte('}')
	return nil
}

func (w *writer) scalar(m graphql.Marshaler) error {
	m.MarshalGQL(&w.buf)
	return nil
}

func list[T any](w *writer, items []T, item func(T) error) error {
	w.buf.WriteByte('[')
	for i, v := range items {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		if err := item(v); err != nil {
			return err
		}
	}
	w.buf.WriteByte(']')
	return nil
}

// value writes what a root field's resolver returned.
func (w *writer) value(ctx context.Context, set ast.SelectionSet, v any) error {
	switch v := v.(type) {
	case model.Entity:
		if v == nil {
			return errUnknown // a null entity comes with an error gqlgen reports
		}
		return w.entity(ctx, set, v.Domain())
	case *model.EntityConnection:
		return w.connection(ctx, set, v)
	case *model.Subgraph:
		return w.subgraph(ctx, "Subgraph", set, v.Nodes, v.Edges, func(f graphql.CollectedField) (bool, error) {
			if f.Name == "truncated" {
				return true, w.scalar(graphql.MarshalBoolean(v.Truncated))
			}
			return false, nil
		})
	case []model.Path:
		return list(w, v, func(p model.Path) error {
			return w.subgraph(ctx, "Path", set, p.Nodes, p.Edges, func(f graphql.CollectedField) (bool, error) {
				switch f.Name {
				case "length":
					return true, w.scalar(graphql.MarshalInt(p.Length))
				case "strength":
					return true, graphql.MarshalFloatContext(p.Strength).MarshalGQLContext(ctx, &w.buf)
				}
				return false, nil
			})
		})
	case []model.SearchHit:
		return list(w, v, func(h model.SearchHit) error {
			return w.object("SearchHit", set, func(f graphql.CollectedField) error {
				if f.Name == "score" {
					return graphql.MarshalFloatContext(h.Score).MarshalGQLContext(ctx, &w.buf)
				}
				return w.entity(ctx, f.Selections, h.Entity.Domain())
			})
		})
	}
	return errUnknown
}

// subgraph writes a Subgraph or a Path: nodes and edges, and the fields
// other answers.
func (w *writer) subgraph(ctx context.Context, typeName string, set ast.SelectionSet, nodes []model.Entity, edges []kg.Relationship, other func(graphql.CollectedField) (bool, error)) error {
	return w.object(typeName, set, func(f graphql.CollectedField) error {
		switch f.Name {
		case "nodes":
			return w.entities(ctx, f.Selections, nodes)
		case "edges":
			return w.relationships(ctx, f.Selections, edges)
		}
		if done, err := other(f); done || err != nil {
			return err
		}
		return errUnknown
	})
}

func (w *writer) connection(ctx context.Context, set ast.SelectionSet, c *model.EntityConnection) error {
	return w.object("EntityConnection", set, func(f graphql.CollectedField) error {
		switch f.Name {
		case "nodes":
			return w.entities(ctx, f.Selections, c.Nodes)
		case "totalCount":
			return w.scalar(graphql.MarshalInt(c.TotalCount))
		case "edges":
			return list(w, c.Edges, func(e model.EntityEdge) error {
				return w.object("EntityEdge", f.Selections, func(g graphql.CollectedField) error {
					if g.Name == "cursor" {
						return w.scalar(graphql.MarshalString(e.Cursor))
					}
					return w.entity(ctx, g.Selections, e.Node.Domain())
				})
			})
		case "pageInfo":
			p := c.PageInfo
			return w.object("PageInfo", f.Selections, func(g graphql.CollectedField) error {
				switch g.Name {
				case "hasNextPage":
					return w.scalar(graphql.MarshalBoolean(p.HasNextPage))
				case "hasPreviousPage":
					return w.scalar(graphql.MarshalBoolean(p.HasPreviousPage))
				case "startCursor":
					return w.optionalString(p.StartCursor)
				default:
					return w.optionalString(p.EndCursor)
				}
			})
		}
		return errUnknown
	})
}

func (w *writer) optionalString(s *string) error {
	if s == nil {
		w.buf.WriteString("null")
		return nil
	}
	return w.scalar(graphql.MarshalString(*s))
}

func (w *writer) entities(ctx context.Context, set ast.SelectionSet, es []model.Entity) error {
	return list(w, es, func(e model.Entity) error { return w.entity(ctx, set, e.Domain()) })
}

func (w *writer) entity(ctx context.Context, set ast.SelectionSet, e *kg.Entity) error {
	return w.object(w.x.typeOfKind(string(e.Kind)), set, func(f graphql.CollectedField) error {
		switch f.Name {
		case "id":
			return w.scalar(graphql.MarshalID(e.ID))
		case "kind":
			return w.scalar(model.MarshalEntityKind(e.Kind))
		case "name":
			return w.scalar(graphql.MarshalString(e.Name))
		case "aliases":
			return list(w, e.Aliases, func(s string) error { return w.scalar(graphql.MarshalString(s)) })
		case "description":
			return w.scalar(graphql.MarshalString(e.Description))
		case "start":
			return w.scalar(model.MarshalDate(e.Start))
		case "end":
			return w.scalar(model.MarshalDate(e.End))
		case "evidence":
			return w.evidence(ctx, f.Selections, e.Evidence)
		case "relationships":
			a := w.relArgsOf(f)
			base := model.EntityBase{Entity: e}
			rels, err := base.Relationships(ctx, a.types, a.direction, a.asOf, nil, a.first)
			if err != nil {
				return err
			}
			return w.relationships(ctx, f.Selections, rels)
		}
		return errUnknown
	})
}

func (w *writer) relationships(ctx context.Context, set ast.SelectionSet, rels []kg.Relationship) error {
	ends, err := w.ends(ctx, set, rels)
	if err != nil {
		return err
	}
	return list(w, rels, func(r kg.Relationship) error {
		return w.object("Relationship", set, func(f graphql.CollectedField) error {
			switch f.Name {
			case "id":
				return w.scalar(graphql.MarshalID(r.ID))
			case "type":
				return w.scalar(model.MarshalRelationType(r.Type))
			case "causal":
				c, err := w.x.Resolver.Relationship().Causal(ctx, &r)
				if err != nil {
					return err
				}
				return w.scalar(graphql.MarshalBoolean(c))
			case "from":
				return w.entity(ctx, f.Selections, ends[r.From])
			case "to":
				return w.entity(ctx, f.Selections, ends[r.To])
			case "start":
				return w.scalar(model.MarshalDate(r.Start))
			case "end":
				return w.scalar(model.MarshalDate(r.End))
			case "description":
				return w.scalar(graphql.MarshalString(r.Description))
			case "confidence":
				return w.scalar(model.MarshalConfidence(r.Confidence))
			case "evidence":
				return w.evidence(ctx, f.Selections, r.Evidence)
			}
			return errUnknown
		})
	})
}

// ends loads the entities at rels' ends, when the selection shows them, in
// one call to the loader (which the resolvers' prefetch has mostly primed).
func (w *writer) ends(ctx context.Context, set ast.SelectionSet, rels []kg.Relationship) (map[string]*kg.Entity, error) {
	if len(rels) == 0 {
		return nil, nil
	}
	shown := false
	for _, f := range plan.Fields(set) {
		shown = shown || f.Name == "from" || f.Name == "to"
	}
	if !shown {
		return nil, nil
	}
	ids := make([]string, 0, 2*len(rels))
	for _, r := range rels {
		ids = append(ids, r.From, r.To)
	}
	found, err := loader.For(ctx).Entities(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*kg.Entity, len(found))
	for _, e := range found {
		out[e.ID] = e
	}
	return out, nil
}

func (w *writer) evidence(ctx context.Context, set ast.SelectionSet, ev []kg.Evidence) error {
	return list(w, ev, func(e kg.Evidence) error {
		return w.object("Evidence", set, func(f graphql.CollectedField) error {
			switch f.Name {
			case "locator":
				return w.scalar(graphql.MarshalString(e.Locator()))
			case "paragraph":
				return w.scalar(graphql.MarshalInt(e.Paragraph))
			case "quote":
				return w.scalar(graphql.MarshalString(e.Quote))
			case "stance":
				s, err := w.x.Resolver.Evidence().Stance(ctx, &e)
				if err != nil {
					return err
				}
				s.MarshalGQL(&w.buf)
				return nil
			}
			return errUnknown
		})
	})
}
