package graph

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"cyberkg/errs"
	"cyberkg/graph/args"
	"cyberkg/graph/loader"
	"cyberkg/graph/model"
	"cyberkg/kg"
	"cyberkg/store"
)

// The GraphQL side of curation: inputs to the write service's words, its
// answers to payloads. A refused write is a payload with userErrors, not a
// GraphQL error; a refused role (FORBIDDEN, UNAUTHENTICATED) is an error.

// ChangesPage bounds changes(first:).
var ChangesPage = args.ChangesPage

func write(reason *string, validateOnly *bool) kg.Write {
	return kg.Write{Reason: strings.TrimSpace(deref(reason)), ValidateOnly: validateOnly != nil && *validateOnly}
}

// userErrors turns a refused write into its payload's userErrors and the
// target's current version; other errors stay errors.
func userErrors(err error) ([]model.UserError, *int, error) {
	var we *kg.WriteError
	if !errors.As(err, &we) {
		return nil, nil, err
	}
	out := make([]model.UserError, len(we.Problems))
	for i, p := range we.Problems {
		out[i] = model.UserError{Path: p.Path, Code: p.Code, Message: p.Message}
	}
	var current *int
	if we.Current > 0 {
		current = &we.Current
	}
	return out, current, nil
}

func evidenceInputs(in []model.EvidenceInput) []kg.EvidenceInput {
	out := make([]kg.EvidenceInput, len(in))
	for i, e := range in {
		out[i] = kg.EvidenceInput{Source: kg.SourceSlug(e.Source), Locator: e.Locator, Quote: e.Quote, Stance: stance(e.Stance)}
	}
	return out
}

func stance(s *model.Stance) kg.Stance {
	if s == nil {
		return kg.Supports
	}
	return kg.Stance(*s)
}

func changeOf(c kg.Change) *model.Change {
	if c.ID == "" {
		return nil
	}
	items := make([]model.ChangeItem, len(c.Items))
	for i, it := range c.Items {
		items[i] = model.ChangeItem{Op: model.ChangeOp(it.Op), Kind: model.TargetKind(it.Kind), Target: it.Target, Version: it.Version,
			Fields: nonNilStrings(it.Fields), Entities: nonNilStrings(it.Entities)}
		if it.RelType != "" {
			t := it.RelType
			items[i].RelType = &t
		}
	}
	return &model.Change{ID: c.ID, Cursor: strconv.FormatInt(c.Seq, 10), Seq: int(c.Seq), At: c.At, Actor: actorOf(c.Actor),
		Reason: c.Reason, Origin: c.Origin, Items: items}
}

func actorOf(a kg.Actor) *model.Actor {
	return &model.Actor{ID: a.ID, Name: a.Name, Role: a.Role.String()}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// history answers an entity's or relationship's history field.
func (r *Resolver) history(ctx context.Context, id string) ([]model.Version, error) {
	vs, err := r.Store.History(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]model.Version, len(vs))
	for i, v := range vs {
		out[i] = model.Version{Version: v.Version, Actor: actorOf(v.Actor), Reason: v.Reason, Op: model.ChangeOp(v.Op),
			Fields: nonNilStrings(v.Fields), Retracted: v.Retracted, RecordedAt: timeOrNil(v.RecordedAt), SupersededAt: timeOrNil(v.Superseded)}
		if v.ChangeID != "" {
			seq := strings.TrimPrefix(v.ChangeID, "change-")
			n, _ := strconv.Atoi(seq)
			// The change as the version knows it; its items are in changes.
			out[i].Change = &model.Change{ID: v.ChangeID, Cursor: seq, Seq: n, At: v.RecordedAt, Actor: actorOf(v.Actor), Reason: v.Reason, Items: []model.ChangeItem{}}
		}
	}
	return out, nil
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// sourceReport is a source's REPORT entity, or nil once that is retracted
// (the source stays).
func sourceReport(ctx context.Context, slug string) (model.Entity, error) {
	e, err := loader.For(ctx).Entity(ctx, slug)
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return model.NewEntity(e), nil
}

func sourceOf(s kg.Source) *model.Source {
	out := &model.Source{ID: kg.SourceNodeID(s.ID), Slug: s.ID, Title: s.Title, Author: s.Author, Publisher: s.Publisher, Reliability: model.Reliability(s.Reliability),
		Version: s.Version, Paragraphs: nonNilStrings(s.Paragraphs)}
	if out.Reliability == "" {
		out.Reliability = model.ReliabilityUnknown
	}
	if !s.Date.IsZero() {
		d := s.Date
		out.Date = &d
	}
	if s.URL != "" {
		u := s.URL
		out.URL = &u
	}
	return out
}

// liveEntity is the entity after a write, or nil when it is not (any more)
// in the graph.
func liveEntity(ctx context.Context, r *Resolver, id string) (model.Entity, error) {
	found, err := r.Store.EntitiesByID(ctx, store.All, []string{id})
	if err != nil {
		return nil, err
	}
	e, ok := found[id]
	if !ok {
		return nil, nil
	}
	return model.NewEntity(&e), nil
}

// changesAfter reads a page of the log after a cursor.
func (r *Resolver) changesAfter(ctx context.Context, after *string, first *int, entity, actor *string) (*model.ChangeConnection, error) {
	n, err := ChangesPage.Value(first)
	if err != nil {
		return nil, err
	}
	var from int64
	if after != nil && *after != "" {
		from, err = strconv.ParseInt(*after, 10, 64)
		if err != nil || from < 0 {
			return nil, errs.Invalidf("after: %q is not a change cursor", *after)
		}
	}
	cs, err := r.Store.ChangesAfter(ctx, from, kg.ChangeFilter{Entity: deref(entity), Actor: deref(actor)}, n+1)
	if err != nil {
		return nil, err
	}
	more := len(cs) > n
	if more {
		cs = cs[:n]
	}
	conn := &model.ChangeConnection{Edges: make([]model.ChangeEdge, len(cs)), Nodes: make([]model.Change, len(cs)), PageInfo: &model.PageInfo{HasNextPage: more, HasPreviousPage: from > 0}}
	for i, c := range cs {
		mc := changeOf(c)
		conn.Nodes[i] = *mc
		conn.Edges[i] = model.ChangeEdge{Cursor: mc.Cursor, Node: mc}
	}
	if len(cs) > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[len(cs)-1].Cursor
	}
	return conn, nil
}

func nonNilUserErrors(u []model.UserError) []model.UserError {
	if u == nil {
		return []model.UserError{}
	}
	return u
}

// entityPayload answers a write of an entity: the entity as it is now, and
// its version (the current one when the write was refused).
func (r *Resolver) entityPayload(ctx context.Context, id string, w kg.Written, err error) (*model.EntityPayload, error) {
	ues, current, err := userErrors(err)
	if err != nil {
		return nil, err
	}
	out := &model.EntityPayload{UserErrors: nonNilUserErrors(ues), Change: changeOf(w.Change), Version: current, EntityID: id}
	if len(ues) == 0 {
		out.Version = &w.Version
	}
	return out, nil
}

// entityAt is the entity as the graph held it at record time t, or null,
// cached for the fields under it, which read at t too.
func entityAt(ctx context.Context, id string, t time.Time) (model.Entity, error) {
	es, errors := loader.For(ctx).EntitiesAt(ctx, []string{id}, t)
	if es[0] == nil {
		if errs.KindOf(errors[0]) == errs.NotFound {
			return nil, nil // as it has always answered: not there then
		}
		return nil, errors[0]
	}
	return model.NewEntity(es[0]), nil
}
