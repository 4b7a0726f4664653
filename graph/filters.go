package graph

import (
	"cyberkg/errs"
	"cyberkg/graph/model"
	"cyberkg/kg"
	"cyberkg/store"
)

// relArgs are the relationship conditions a field takes as arguments of its
// own (types, direction, asOf, confidence), beside its where.
type relArgs struct {
	types      []kg.RelType
	direction  *model.Direction
	asOf       *kg.Date
	confidence []kg.Confidence
}

// relFilter is the store filter of a field's arguments and where: both
// apply, and a condition given both ways is refused rather than guessed at.
func relFilter(a relArgs, where *model.RelationshipFilter) (store.RelFilter, error) {
	f := store.RelFilter{Types: a.types, Confidences: a.confidence, Direction: store.Both}
	if a.direction != nil {
		f.Direction = store.Direction(*a.direction)
	}
	if a.asOf != nil {
		f.AsOf = *a.asOf
	}
	if where == nil {
		return f, nil
	}
	w, err := relFilterOf(*where)
	if err != nil {
		return f, err
	}
	twice := func(name string, arg, inWhere bool) error {
		if arg && inWhere {
			return errs.Invalidf("%s is given both as an argument and in where: give it once", name)
		}
		return nil
	}
	for _, err := range []error{
		twice("types", len(a.types) > 0, len(w.Types) > 0),
		twice("confidence", len(a.confidence) > 0, len(w.Confidences) > 0),
		twice("asOf", a.asOf != nil, !w.AsOf.IsZero()),
		twice("direction", a.direction != nil && *a.direction != model.DirectionBoth, where.Direction != nil),
	} {
		if err != nil {
			return f, err
		}
	}
	if len(w.Types) > 0 {
		f.Types = w.Types
	}
	if len(w.Confidences) > 0 {
		f.Confidences = w.Confidences
	}
	if !w.AsOf.IsZero() {
		f.AsOf = w.AsOf
	}
	if where.Direction != nil {
		f.Direction = w.Direction
	}
	f.ClaimedBy, f.Sources, f.Stance, f.StartFrom, f.StartTo, f.Other = w.ClaimedBy, w.Sources, w.Stance, w.StartFrom, w.StartTo, w.Other
	return f, nil
}

// relFilterOf translates a RelationshipFilter, nested filters and all.
func relFilterOf(w model.RelationshipFilter) (store.RelFilter, error) {
	f := store.RelFilter{Types: w.Types, Confidences: w.Confidence, ClaimedBy: w.ClaimedBy, Direction: store.Both}
	for _, s := range w.Sources {
		f.Sources = append(f.Sources, kg.SourceSlug(s)) // a slug or a source's Node id
	}
	if w.Direction != nil {
		f.Direction = store.Direction(*w.Direction)
	}
	if w.AsOf != nil {
		f.AsOf = *w.AsOf
	}
	if w.Stance != nil {
		f.Stance = kg.Stance(*w.Stance)
	}
	if w.StartFrom != nil {
		f.StartFrom = *w.StartFrom
	}
	if w.StartTo != nil {
		f.StartTo = *w.StartTo
	}
	if w.Other != nil {
		other, err := entityFilterOf(nil, w.Other)
		if err != nil {
			return f, err
		}
		f.Other = &other
	}
	return f, nil
}

// entityFilterOf translates kinds and an EntityFilter.
func entityFilterOf(kinds []kg.Kind, w *model.EntityFilter) (store.EntityFilter, error) {
	f := store.EntityFilter{Kinds: kinds}
	if w == nil {
		return f, nil
	}
	f.NameContains = deref(w.NameContains)
	f.RelatedTo = deref(w.RelatedTo)
	f.IDs, f.Involving = w.Ids, w.Involving
	if w.StartFrom != nil {
		f.StartFrom = *w.StartFrom
	}
	if w.StartTo != nil {
		f.StartTo = *w.StartTo
	}
	for _, q := range []struct {
		in  *model.RelationshipFilter
		out **store.RelFilter
	}{{w.RelationshipsSome, &f.Some}, {w.RelationshipsNone, &f.None}} {
		if q.in == nil {
			continue
		}
		rf, err := relFilterOf(*q.in)
		if err != nil {
			return f, err
		}
		*q.out = &rf
	}
	return f, nil
}
