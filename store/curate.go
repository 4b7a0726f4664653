package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// The write service (kg.WriteService) on Neo4j. Each method is one write
// transaction (change): it takes the graph's lock, reads the targets as they
// stand, checks the input against them, writes the data and its versions,
// and appends its Change; a refused check returns a *kg.WriteError and the
// transaction is rolled back, so nothing is written. A ValidateOnly write
// runs all of it and is rolled back too.

var _ kg.WriteService = (*Store)(nil)

// errValidateOnly rolls back a write that was only to be checked.
var errValidateOnly = errors.New("validate only")

// authorize checks the caller's role.
func authorize(op string, a kg.Actor, need kg.Role) error {
	switch {
	case a.Can(need):
		return nil
	case a.Role == kg.RoleAnonymous:
		return errs.E(op, errs.Unauthenticated, fmt.Errorf("this needs the %s role: send an API key (Authorization: Bearer <key>)", need))
	default:
		return errs.E(op, errs.Forbidden, fmt.Errorf("this needs the %s role; %q is a %s", need, a.Name, a.Role))
	}
}

// problems collects a write's field errors.
type problems struct{ list []kg.FieldError }

func (pb *problems) add(path []string, code, format string, a ...any) {
	pb.list = append(pb.list, kg.FieldError{Path: slices.Clone(path), Code: code, Message: fmt.Sprintf(format, a...)})
}

func (pb *problems) err(op string, current int) error {
	if len(pb.list) == 0 {
		return nil
	}
	return errs.E(op, errs.Invalid, &kg.WriteError{Problems: pb.list, Current: current})
}

func path(p ...string) []string { return p }

// curate runs one write of the service: the role check, then fn in one
// change transaction; fn fills in what was written.
func (s *Store) curate(ctx context.Context, op string, need kg.Role, w kg.Write, fn func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error) (kg.Written, error) {
	return s.curateIn(ctx, op, need, w, s.change, fn)
}

// curateLate is curate for a write that reads and checks before it writes
// (changeLate): it holds the graph's lock for less time. A ValidateOnly
// write takes the lock first, as curate does, so that it runs every
// statement before it is rolled back.
func (s *Store) curateLate(ctx context.Context, op string, need kg.Role, w kg.Write, fn func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error) (kg.Written, error) {
	how := s.changeLate
	if w.ValidateOnly {
		how = s.change
	}
	return s.curateIn(ctx, op, need, w, how, fn)
}

type changeFunc func(ctx context.Context, op string, actor kg.Actor, reason, origin string, fn func(tx neo4j.ManagedTransaction, p *pending) error) (kg.Change, error)

func (s *Store) curateIn(ctx context.Context, op string, need kg.Role, w kg.Write, how changeFunc, fn func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error) (kg.Written, error) {
	actor := kg.ActorFromContext(ctx)
	if err := authorize(op, actor, need); err != nil {
		return kg.Written{}, err
	}
	var out kg.Written
	ch, err := how(ctx, op, actor, w.Reason, OriginOf(ctx), func(tx neo4j.ManagedTransaction, p *pending) error {
		out = kg.Written{}
		if err := fn(tx, p, &out); err != nil {
			return err
		}
		if w.ValidateOnly {
			return errValidateOnly
		}
		return nil
	})
	if errors.Is(err, errValidateOnly) {
		return out, nil
	}
	if err != nil {
		return kg.Written{}, err
	}
	out.Change = ch
	return out, nil
}

func conflict(op string, field []string, id string, expected, cur int) error {
	pb := &problems{}
	switch {
	case cur == 0:
		pb.add(field, kg.CodeVersionConflict, "%s does not exist (expectedVersion %d; use 0 to create it)", id, expected)
	case expected == 0:
		pb.add(field, kg.CodeVersionConflict, "%s already exists at version %d; send expectedVersion %d to change it", id, cur, cur)
	default:
		pb.add(field, kg.CodeVersionConflict, "%s is at version %d, not %d: someone changed it since you read it", id, cur, expected)
	}
	return pb.err(op, cur)
}

// UpsertEntity creates an entity (ExpectedVersion 0) or changes one.
func (s *Store) UpsertEntity(ctx context.Context, in kg.EntityInput, w kg.Write) (kg.Written, error) {
	const op = "store.UpsertEntity"
	return s.curateLate(ctx, op, kg.RoleCurator, w, func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error {
		pb := &problems{}
		if !kg.ValidID(in.ID) || kg.IsChangeID(in.ID) {
			pb.add(path("input", "id"), kg.CodeBadValue, "id %q is not a slug (lowercase letters, digits and single dashes) other than a change's (change-<number>)", in.ID)
			return pb.err(op, 0)
		}
		cur, err := s.findTarget(ctx, tx, op, in.ID, "")
		if err != nil {
			return err
		}
		p.watch(in.ID, cur)
		if cur.version > 0 && cur.kind != kg.TargetEntity {
			pb.add(path("input", "id"), kg.CodeExists, "%s is a relationship", in.ID)
			return pb.err(op, cur.version)
		}
		if in.ExpectedVersion != cur.version {
			return conflict(op, path("expectedVersion"), in.ID, in.ExpectedVersion, cur.version)
		}
		e := kg.Entity{ID: in.ID}
		if cur.version > 0 {
			e = cur.entity
			e.Aliases, e.Evidence = slices.Clone(e.Aliases), slices.Clone(e.Evidence)
		}
		old := e
		if in.Kind != "" {
			if k, ok := kg.ParseKind(string(in.Kind)); ok {
				e.Kind = k
			} else {
				pb.add(path("input", "kind"), kg.CodeBadValue, "unknown kind %q", in.Kind)
			}
		} else if e.Kind == "" {
			pb.add(path("input", "kind"), kg.CodeRequired, "a new entity needs a kind")
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
			}
		}
		set(&e.Name, in.Name)
		set(&e.Description, in.Description)
		set(&e.Title, in.Title)
		if in.Status != nil {
			e.Status = kg.LawStatus(strings.TrimSpace(*in.Status))
		}
		if in.Aliases != nil {
			e.Aliases = cleanList(in.Aliases)
		}
		e.Start = dateField(pb, path("input", "start"), in.Start, e.Start)
		e.End = dateField(pb, path("input", "end"), in.End, e.End)
		if e.Name == "" {
			pb.add(path("input", "name"), kg.CodeRequired, "an entity needs a name")
		}
		checkEntityFields(pb, e)
		e.Evidence = s.addCitations(ctx, tx, op, pb, path("input", "evidence"), e.Evidence, in.Evidence)
		if len(e.Evidence) == 0 && len(in.Evidence) == 0 {
			pb.add(path("input", "evidence"), kg.CodeRequired, "an entity needs evidence: a quote of a source that names it")
		}
		if err := pb.err(op, cur.version); err != nil {
			return err
		}
		fields := entityFieldsChanged(old, e)
		itemOp := kg.OpUpdate
		if cur.version == 0 || cur.retracted {
			itemOp, fields = kg.OpCreate, nil
		} else if len(fields) == 0 {
			*out = kg.Written{Target: e.ID, Version: cur.version}
			return nil // nothing changed: no change
		}
		v, err := s.putEntity(ctx, tx, op, p, cur, &e, itemOp, fields)
		*out = kg.Written{Target: e.ID, Version: v}
		return err
	})
}

// UpsertRelationship creates a relationship (ExpectedVersion 0) or changes one.
func (s *Store) UpsertRelationship(ctx context.Context, in kg.RelationshipInput, w kg.Write) (kg.Written, error) {
	const op = "store.UpsertRelationship"
	return s.curateLate(ctx, op, kg.RoleCurator, w, func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error {
		pb := &problems{}
		info, ok := kg.LookupRelType(string(in.Type))
		if !ok {
			pb.add(path("input", "type"), kg.CodeBadValue, "unknown relationship type %q", in.Type)
			return pb.err(op, 0)
		}
		id := in.ID
		if id == "" {
			id = kg.DefaultRelationshipID(in.From, info.Type, in.To)
		}
		if why := kg.ReservedID(id); why != "" {
			pb.add(path("input", "id"), kg.CodeBadValue, "id %q %s: ids must be unique across kinds", id, why)
			return pb.err(op, 0)
		}
		cur, err := s.findTarget(ctx, tx, op, id, info.Type)
		if err != nil {
			return err
		}
		p.watch(id, cur)
		if cur.version > 0 && cur.kind != kg.TargetRelationship {
			pb.add(path("input", "id"), kg.CodeExists, "%s is an entity", id)
			return pb.err(op, cur.version)
		}
		if in.ExpectedVersion != cur.version {
			return conflict(op, path("expectedVersion"), id, in.ExpectedVersion, cur.version)
		}
		r := kg.Relationship{ID: id, Type: info.Type, From: in.From, To: in.To}
		if cur.version > 0 {
			r = cur.rel
			r.ClaimedBy, r.Evidence = slices.Clone(r.ClaimedBy), slices.Clone(r.Evidence)
			r.Type = info.Type
			if in.From != "" {
				r.From = in.From
			}
			if in.To != "" {
				r.To = in.To
			}
		}
		old := r
		if in.Description != nil {
			r.Description = strings.TrimSpace(*in.Description)
		}
		if in.Confidence != nil {
			if c, ok := kg.ParseConfidence(*in.Confidence); ok {
				r.Confidence = c
			} else {
				pb.add(path("input", "confidence"), kg.CodeBadValue, "unknown confidence %q", *in.Confidence)
			}
		} else if r.Confidence == "" {
			pb.add(path("input", "confidence"), kg.CodeRequired, "a new relationship needs a confidence: how the source hedges it")
		}
		if in.ClaimedBy != nil {
			r.ClaimedBy = cleanList(in.ClaimedBy)
		}
		r.Start = dateField(pb, path("input", "start"), in.Start, r.Start)
		r.End = dateField(pb, path("input", "end"), in.End, r.End)
		if !r.Start.IsZero() && !r.End.IsZero() && r.End.Last().Before(r.Start.First()) {
			pb.add(path("input", "end"), kg.CodeBadDate, "end %s is before start %s", r.End, r.Start)
		}
		refs := append([]string{r.From, r.To}, r.ClaimedBy...)
		live, err := s.refsOf(ctx, tx, op, refs)
		if err != nil {
			return err
		}
		if p.late {
			p.refs = refs // each must still be live when the lock is taken
			for _, end := range refs[:2] {
				if l, ok := live[end]; ok {
					p.watch(end, current{seen: l.version}) // and the ends' starts still those read
				}
			}
		}
		for i, ref := range refs {
			field := path("input", "from")
			switch {
			case i == 1:
				field = path("input", "to")
			case i > 1:
				field = path("input", "claimedBy", fmt.Sprint(i-2))
			}
			if ref == "" {
				pb.add(field, kg.CodeRequired, "needs an entity id")
			} else if live[ref].kind == "" {
				pb.add(field, kg.CodeUnknownEntity, "no entity %q", ref)
			}
		}
		r.Evidence = s.addCitations(ctx, tx, op, pb, path("input", "evidence"), r.Evidence, in.Evidence)
		if len(r.Evidence) == 0 && len(in.Evidence) == 0 {
			pb.add(path("input", "evidence"), kg.CodeRequired, "a relationship needs evidence: a quote of a source that states it")
		}
		if err := pb.err(op, cur.version); err != nil {
			return err
		}
		fields := relFieldsChanged(old, r)
		itemOp := kg.OpUpdate
		if cur.version == 0 || cur.retracted {
			itemOp, fields = kg.OpCreate, nil
		} else if len(fields) == 0 {
			*out = kg.Written{Target: id, Version: cur.version}
			return nil
		}
		var starts map[string]kg.Date // read under the lock, unless watched
		if p.late {
			starts = map[string]kg.Date{}
			for _, end := range refs[:2] {
				if d := live[end].start; !d.IsZero() {
					starts[end] = d
				}
			}
		}
		v, err := s.putRelationship(ctx, tx, op, p, cur, &r, starts, itemOp, fields)
		*out = kg.Written{Target: id, Version: v}
		return err
	})
}

// AddEvidence adds one piece of evidence to an entity, a relationship, or
// a fact of either (its id "<owner id>#<fact name>", kg.FactID). A fact's
// evidence is a new version of its owner, whose version expectedVersion is.
func (s *Store) AddEvidence(ctx context.Context, target string, ev kg.EvidenceInput, expectedVersion int, w kg.Write) (kg.Written, error) {
	const op = "store.AddEvidence"
	owner, factName, isFact := kg.ParseFactID(target)
	if !isFact {
		owner = target
	}
	return s.curateLate(ctx, op, kg.RoleCurator, w, func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error {
		pb := &problems{}
		if strings.Contains(target, "#") && !isFact {
			pb.add(path("input", "target"), kg.CodeBadValue, "%q is not a fact's id: want <entity or relationship id>#<fact name>", target)
			return pb.err(op, 0)
		}
		cur, err := s.findTarget(ctx, tx, op, owner, "")
		if err != nil {
			return err
		}
		p.watch(owner, cur)
		if !cur.live {
			pb.add(path("input", "target"), kg.CodeUnknownEntity, "no entity or relationship %q", owner)
			return pb.err(op, cur.version)
		}
		if expectedVersion >= 0 && expectedVersion != cur.version {
			return conflict(op, path("expectedVersion"), owner, expectedVersion, cur.version)
		}
		*out = kg.Written{Target: target, Version: cur.version}
		e, r := cur.entity, cur.rel
		facts := &e.Facts
		if cur.kind == kg.TargetRelationship {
			facts = &r.Facts
		}
		field := "evidence"
		if isFact {
			field = "facts"
			*facts = slices.Clone(*facts)
			i := slices.IndexFunc(*facts, func(f kg.Fact) bool { return f.Name == factName })
			if i < 0 {
				names := make([]string, len(*facts))
				for j, f := range *facts {
					names[j] = f.Name
				}
				pb.add(path("input", "target"), kg.CodeNotFound, "%s has no fact %q (its facts: %s)", owner, factName, strings.Join(names, ", "))
				return pb.err(op, cur.version)
			}
			f := &(*facts)[i]
			had := len(f.Evidence)
			f.Evidence = s.addCitations(ctx, tx, op, pb, path("input"), slices.Clone(f.Evidence), []kg.EvidenceInput{ev})
			if err := pb.err(op, cur.version); err != nil || len(f.Evidence) == had {
				return err // the same evidence again changes nothing
			}
		} else {
			have := &e.Evidence
			if cur.kind == kg.TargetRelationship {
				have = &r.Evidence
			}
			had := len(*have)
			*have = s.addCitations(ctx, tx, op, pb, path("input"), slices.Clone(*have), []kg.EvidenceInput{ev})
			if err := pb.err(op, cur.version); err != nil || len(*have) == had {
				return err
			}
		}
		if cur.kind == kg.TargetEntity {
			out.Version, err = s.putEntity(ctx, tx, op, p, cur, &e, kg.OpUpdate, []string{field})
		} else {
			out.Version, err = s.putRelationship(ctx, tx, op, p, cur, &r, nil, kg.OpUpdate, []string{field})
		}
		if err == nil {
			p.Items[len(p.Items)-1].Kind = kg.TargetEvidence
		}
		return err
	})
}

// Retract takes an entity (with its relationships) or a relationship out of
// the live graph, keeping its history and the reason.
func (s *Store) Retract(ctx context.Context, id string, expectedVersion int, w kg.Write) (kg.Written, error) {
	const op = "store.Retract"
	return s.curate(ctx, op, kg.RoleCurator, w, func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error {
		pb := &problems{}
		if strings.TrimSpace(w.Reason) == "" {
			pb.add(path("reason"), kg.CodeRequired, "a retraction needs a reason")
		}
		cur, err := s.findTarget(ctx, tx, op, id, "")
		if err != nil {
			return err
		}
		if !cur.live {
			msg := "no entity or relationship %q"
			if cur.retracted {
				msg = "%q is already retracted"
			}
			pb.add(path("id"), kg.CodeNotFound, msg, id)
			return pb.err(op, cur.version)
		}
		if expectedVersion != cur.version {
			return conflict(op, path("expectedVersion"), id, expectedVersion, cur.version)
		}
		if err := pb.err(op, cur.version); err != nil {
			return err
		}
		v, err := s.retract(ctx, tx, op, p, cur, kg.OpRetract)
		*out = kg.Written{Target: id, Version: v}
		return err
	})
}

// retract retracts a live target; an entity's relationships first.
func (s *Store) retract(ctx context.Context, tx neo4j.ManagedTransaction, op string, p *pending, cur current, itemOp kg.ChangeOp) (int, error) {
	if cur.kind == kg.TargetRelationship {
		return s.putRelationship(ctx, tx, op, p, cur, nil, nil, itemOp, nil)
	}
	rels, err := s.liveRelationshipsOf(ctx, tx, op, cur.entity.ID)
	if err != nil {
		return 0, err
	}
	for _, rc := range rels {
		if _, err := s.putRelationship(ctx, tx, op, p, rc, nil, nil, kg.OpRetract, nil); err != nil {
			return 0, err
		}
	}
	return s.putEntity(ctx, tx, op, p, cur, nil, itemOp, nil)
}

// MergeEntities merges in.From into in.Into (see kg.MergeInput). It needs
// the admin role: it rewrites many claims at once.
func (s *Store) MergeEntities(ctx context.Context, in kg.MergeInput, w kg.Write) (kg.Written, error) {
	const op = "store.MergeEntities"
	return s.curate(ctx, op, kg.RoleAdmin, w, func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error {
		pb := &problems{}
		into, err := s.findTarget(ctx, tx, op, in.Into, "")
		if err != nil {
			return err
		}
		from, err := s.findTarget(ctx, tx, op, in.From, "")
		if err != nil {
			return err
		}
		for _, t := range []struct {
			c        current
			id       string
			field    string
			expected int
		}{{into, in.Into, "into", in.IntoVersion}, {from, in.From, "from", in.FromVersion}} {
			switch {
			case !t.c.live || t.c.kind != kg.TargetEntity:
				pb.add(path("input", t.field), kg.CodeUnknownEntity, "no entity %q", t.id)
			case t.expected != t.c.version:
				pb.add(path("input", t.field+"Version"), kg.CodeVersionConflict, "%s is at version %d, not %d", t.id, t.c.version, t.expected)
			}
		}
		if in.Into == in.From {
			pb.add(path("input", "from"), kg.CodeBadValue, "an entity cannot be merged into itself")
		}
		if err := pb.err(op, into.version); err != nil {
			return err
		}
		rels, err := s.liveRelationshipsOf(ctx, tx, op, in.From)
		if err != nil {
			return err
		}
		// Claims that from made: they are into's now, each a new version of
		// its relationship in this change, so that a revert gives them back.
		claimed, err := s.relationshipsClaimedBy(ctx, tx, op, in.From)
		if err != nil {
			return err
		}
		for _, rc := range claimed {
			if !slices.ContainsFunc(rels, func(c current) bool { return c.rel.ID == rc.rel.ID }) {
				rels = append(rels, rc)
			}
		}
		for _, rc := range rels {
			r := rc.rel
			var fields []string
			if r.From == in.From {
				r.From, fields = in.Into, append(fields, "from")
			}
			if r.To == in.From {
				r.To, fields = in.Into, append(fields, "to")
			}
			if r.From == r.To { // between the two: nothing left to relate
				if _, err := s.putRelationship(ctx, tx, op, p, rc, nil, nil, kg.OpRetract, nil); err != nil {
					return err
				}
				continue
			}
			if slices.Contains(r.ClaimedBy, in.From) {
				r.ClaimedBy = claimants(r.ClaimedBy, in.From, in.Into)
				fields = append(fields, "claimedBy")
			}
			if _, err := s.putRelationship(ctx, tx, op, p, rc, &r, nil, kg.OpUpdate, fields); err != nil {
				return err
			}
		}
		e := into.entity
		e.Aliases = slices.Clone(e.Aliases)
		for _, a := range append([]string{from.entity.Name}, from.entity.Aliases...) {
			if a != e.Name && !slices.Contains(e.Aliases, a) {
				e.Aliases = append(e.Aliases, a)
			}
		}
		e.Evidence = slices.Clone(e.Evidence)
		for _, ev := range from.entity.Evidence {
			if !slices.Contains(e.Evidence, ev) {
				e.Evidence = append(e.Evidence, ev)
			}
		}
		fields := entityFieldsChanged(into.entity, e)
		v, err := s.putEntity(ctx, tx, op, p, into, &e, kg.OpUpdate, fields)
		if err != nil {
			return err
		}
		if _, err := s.putEntity(ctx, tx, op, p, from, nil, kg.OpMerge, []string{"mergedInto"}); err != nil {
			return err
		}
		*out = kg.Written{Target: in.Into, Version: v}
		return nil
	})
}

// RevertChange writes, as a new change, each target of a change back to
// the version it had before: what the change created is retracted, what it
// retracted or changed is restored. A target changed again since is a
// VERSION_CONFLICT. Reverting another's change needs the admin role.
func (s *Store) RevertChange(ctx context.Context, id string, w kg.Write) (kg.Written, error) {
	const op = "store.RevertChange"
	c, found, err := s.ChangeByID(ctx, id)
	if err != nil {
		return kg.Written{}, err
	}
	need := kg.RoleCurator
	actor := kg.ActorFromContext(ctx)
	if found && c.Actor.ID != actor.ID {
		need = kg.RoleAdmin
	}
	if w.Reason == "" {
		w.Reason = "revert " + id
	}
	return s.curate(ctx, op, need, w, func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error {
		pb := &problems{}
		if !found {
			pb.add(path("id"), kg.CodeNotFound, "no change %q (or it is older than the log retains)", id)
			return pb.err(op, 0)
		}
		*out = kg.Written{Target: id}
		// Newest item first, so that a merge's entity is back before its
		// relationships return to it.
		for i := len(c.Items) - 1; i >= 0; i-- {
			it := c.Items[i]
			if it.Kind == kg.TargetSource {
				continue // a source's paragraphs stay: nothing can cite a retracted REPORT's text
			}
			var relType kg.RelType
			if it.Kind == kg.TargetRelationship {
				relType = it.RelType
			}
			cur, err := s.findTarget(ctx, tx, op, it.Target, relType)
			if err != nil {
				return err
			}
			if cur.version != it.Version {
				pb.add(path("id"), kg.CodeVersionConflict, "%s was changed again since %s (now version %d): revert the later change first", it.Target, id, cur.version)
				continue
			}
			prior, had, err := s.versionState(ctx, tx, op, it.Target, it.Version-1)
			if err != nil {
				return err
			}
			switch {
			case !had || prior.retracted:
				if cur.live {
					if _, err := s.retract(ctx, tx, op, p, cur, kg.OpRevert); err != nil {
						return err
					}
				}
			case prior.state.Entity != nil:
				e := *prior.state.Entity
				if _, err := s.putEntity(ctx, tx, op, p, cur, &e, kg.OpRevert, entityFieldsChanged(cur.entity, e)); err != nil {
					return err
				}
			case prior.state.Relationship != nil:
				r := *prior.state.Relationship
				if _, err := s.putRelationship(ctx, tx, op, p, cur, &r, nil, kg.OpRevert, relFieldsChanged(cur.rel, r)); err != nil {
					return err
				}
			}
		}
		return pb.err(op, 0)
	})
}

type priorVersion struct {
	state     versionState
	retracted bool
}

// versionState reads one recorded version of a target.
func (s *Store) versionState(ctx context.Context, tx neo4j.ManagedTransaction, op, id string, version int) (priorVersion, bool, error) {
	if version < 1 {
		return priorVersion{}, false, nil
	}
	recs, err := s.query(ctx, tx, op, `MATCH (v:Version {key: $key}) RETURN v.state, v.retracted`, map[string]any{"key": fmt.Sprintf("%s@%d", id, version)})
	if err != nil || len(recs) == 0 {
		return priorVersion{}, false, err
	}
	var pv priorVersion
	if err := jsonUnmarshal(str(recs[0].Values[0]), &pv.state); err != nil {
		return pv, false, errs.E(op, errs.Internal, err)
	}
	pv.retracted = recs[0].Values[1] == true
	return pv, true, nil
}

// putEntity writes the next version of an entity: e, or a retraction when
// e is nil (its relationships must be retracted or moved first).
func (s *Store) putEntity(ctx context.Context, tx neo4j.ManagedTransaction, op string, p *pending, cur current, e *kg.Entity, itemOp kg.ChangeOp, fields []string) (int, error) {
	id := cur.entity.ID
	if e != nil {
		id = e.ID
	}
	v := cur.version + 1
	item := kg.ChangeItem{Op: itemOp, Kind: kg.TargetEntity, Target: id, Version: v, Fields: fields, Entities: []string{id}}
	st := versionState{}
	if e != nil {
		e.Version = v
		st.Entity = e
		props := EntityProps(*e)
		err := p.later(func() error {
			_, err := s.query(ctx, tx, op, `MERGE (n:Entity {id: $id})
			SET n = $props, n.nameKey = toLower($props.name), n.version = $version, n.recordedFrom = $at, n.changeId = $change, n.origin = $origin`,
				map[string]any{"id": id, "props": props, "version": v, "at": p.At, "change": p.ID, "origin": p.Origin})
			return err
		})
		if err != nil {
			return 0, err
		}
	} else {
		last := cur.entity
		last.Version = v
		st.Entity = &last
		err := p.later(func() error {
			_, err := s.query(ctx, tx, op, `MATCH (n:Entity {id: $id}) DETACH DELETE n`, map[string]any{"id": id})
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	if err := s.recordVersion(ctx, tx, op, p, cur, st, item, e == nil); err != nil {
		return 0, err
	}
	p.add(item)
	return v, nil
}

// putRelationship writes the next version of a relationship: r, or a
// retraction when r is nil. The live relationship is replaced whole, so
// that a change of its ends or type leaves no second one with its id.
//
// starts are the starts of r's ends as read (its validFrom): a late change
// watches the ends, so that they still hold when it is written.
func (s *Store) putRelationship(ctx context.Context, tx neo4j.ManagedTransaction, op string, p *pending, cur current, r *kg.Relationship, starts map[string]kg.Date, itemOp kg.ChangeOp, fields []string) (int, error) {
	old := cur.rel
	if cur.live {
		info, ok := kg.LookupRelType(string(old.Type))
		if !ok {
			return 0, errs.E(op, errs.Internal, fmt.Errorf("relationship %s: unknown type %q", old.ID, old.Type))
		}
		err := p.later(func() error {
			_, err := s.query(ctx, tx, op, `MATCH (:Entity {id: $from})-[r:`+string(info.Type)+` {id: $id}]->(:Entity {id: $to}) DELETE r`,
				map[string]any{"id": old.ID, "from": old.From, "to": old.To})
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	v := cur.version + 1
	st := versionState{}
	item := kg.ChangeItem{Op: itemOp, Kind: kg.TargetRelationship, Target: old.ID, Version: v, Fields: fields, Entities: []string{old.From, old.To}, RelType: old.Type}
	if r != nil {
		info, ok := kg.LookupRelType(string(r.Type))
		if !ok {
			return 0, errs.E(op, errs.Invalid, fmt.Errorf("unknown relationship type %q", r.Type))
		}
		r.Version = v
		st.Relationship = r
		item.Target, item.RelType = r.ID, r.Type
		item.Entities = uniq(append([]string{r.From, r.To}, item.Entities...))
		r := *r
		err := p.later(func() error {
			starts, err := s.startsOf(ctx, tx, op, r, starts)
			if err != nil {
				return err
			}
			recs, err := s.query(ctx, tx, op, `MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
			CREATE (a)-[r:`+string(info.Type)+`]->(b)
			SET r = $props, r.version = $version, r.recordedFrom = $at, r.changeId = $change, r.origin = $origin
			RETURN count(r)`,
				map[string]any{"from": r.From, "to": r.To, "props": RelationshipProps(r, starts), "version": v, "at": p.At, "change": p.ID, "origin": p.Origin})
			if err == nil && (len(recs) != 1 || num(recs[0].Values[0]) != 1) {
				err = errs.E(op, errs.Invalid, fmt.Errorf("relationship %s: an end is missing", r.ID))
			}
			return err
		})
		if err != nil {
			return 0, err
		}
	} else {
		last := old
		last.Version = v
		st.Relationship = &last
	}
	if err := s.recordVersion(ctx, tx, op, p, cur, st, item, r == nil); err != nil {
		return 0, err
	}
	p.add(item)
	return v, nil
}

// startsOf are the starts of r's ends: known when the write read and
// watched them (late), else read as the lock holder sees them.
func (s *Store) startsOf(ctx context.Context, tx neo4j.ManagedTransaction, op string, r kg.Relationship, known map[string]kg.Date) (map[string]kg.Date, error) {
	if known != nil {
		return known, nil
	}
	recs, err := s.query(ctx, tx, op, `MATCH (a:Entity {id: $from}), (b:Entity {id: $to}) RETURN a.start, b.start`, map[string]any{"from": r.From, "to": r.To})
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, errs.E(op, errs.Invalid, fmt.Errorf("relationship %s: an end is missing", r.ID))
	}
	starts := map[string]kg.Date{}
	for i, end := range []string{r.From, r.To} {
		if d := date(recs[0].Values[i]); !d.IsZero() {
			starts[end] = d
		}
	}
	return starts, nil
}

// liveRelationshipsOf are every live relationship of an entity.
func (s *Store) liveRelationshipsOf(ctx context.Context, tx neo4j.ManagedTransaction, op, id string) ([]current, error) {
	recs, err := s.query(ctx, tx, op, `MATCH (n:Entity {id: $id})-[r]-(:Entity)
		WITH DISTINCT r
		OPTIONAL MATCH (v:Version {target: r.id})
		WITH r, count(v) AS versions
		RETURN r{.*, type: type(r), from: startNode(r).id, to: endNode(r).id}, versions ORDER BY r.id`, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	out := make([]current, len(recs))
	for i, rec := range recs {
		p := rec.Values[0].(map[string]any)
		out[i] = current{kind: kg.TargetRelationship, version: versionOf(p), live: true, rel: relationshipFrom(p), legacy: num(rec.Values[1]) == 0}
	}
	return out, nil
}

// relationshipsClaimedBy are the live relationships whose claimedBy lists
// id. claimedBy is a list property, which no index serves: this reads every
// relationship, which a merge (rare, and an admin's) can afford.
func (s *Store) relationshipsClaimedBy(ctx context.Context, tx neo4j.ManagedTransaction, op, id string) ([]current, error) {
	recs, err := s.query(ctx, tx, op, `MATCH (a:Entity)-[r]->(b:Entity) WHERE $id IN r.claimedBy
		RETURN r{.*, type: type(r), from: a.id, to: b.id}, EXISTS { (:Version {target: r.id}) } ORDER BY r.id`, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	out := make([]current, len(recs))
	for i, rec := range recs {
		p := rec.Values[0].(map[string]any)
		out[i] = current{kind: kg.TargetRelationship, version: versionOf(p), live: true, rel: relationshipFrom(p), legacy: rec.Values[1] != true}
	}
	return out, nil
}

// claimants is claimedBy with from replaced by into, once.
func claimants(claimedBy []string, from, into string) []string {
	out := make([]string, 0, len(claimedBy))
	for _, c := range claimedBy {
		if c == from {
			c = into
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// liveRef is what a relationship's write reads of an entity it refers to.
type liveRef struct {
	kind    kg.Kind
	start   kg.Date // a relationship's validFrom follows its ends' starts
	version int
}

// refsOf reads the live entities among ids.
func (s *Store) refsOf(ctx context.Context, tx neo4j.ManagedTransaction, op string, ids []string) (map[string]liveRef, error) {
	recs, err := s.query(ctx, tx, op, `UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN n.id, n.kind, n.start, n.version`, map[string]any{"ids": ids})
	out := map[string]liveRef{}
	for _, rec := range recs {
		out[str(rec.Values[0])] = liveRef{kind: kg.Kind(str(rec.Values[1])), start: date(rec.Values[2]), version: versionOf(map[string]any{"version": rec.Values[3]})}
	}
	return out, err
}

// addCitations checks new evidence against the cited sources' paragraphs
// and appends what is new to have.
func (s *Store) addCitations(ctx context.Context, tx neo4j.ManagedTransaction, op string, pb *problems, at []string, have []kg.Evidence, in []kg.EvidenceInput) []kg.Evidence {
	if len(in) == 0 {
		return have
	}
	// The locators first: only the paragraphs they name are read.
	locs := make([]int, len(in))
	lerrs := make([]error, len(in))
	var cites []citation
	for i, ev := range in {
		locs[i], lerrs[i] = kg.ParseLocator(ev.Locator)
		cites = append(cites, citation{ev.Source, locs[i]})
	}
	paras, err := s.citedParagraphs(ctx, tx, op, cites)
	if err != nil {
		pb.add(at, kg.CodeUnknownSource, "could not read the sources: %v", err)
		return have
	}
	for i, ev := range in {
		here := at
		if len(in) > 1 || at[len(at)-1] == "evidence" {
			here = append(slices.Clone(at), fmt.Sprint(i))
		}
		field := func(f string) []string { return append(slices.Clone(here), f) }
		src, ok := paras[ev.Source]
		if !ok {
			pb.add(field("source"), kg.CodeUnknownSource, "no source %q (add it with addSource)", ev.Source)
			continue
		}
		n := locs[i]
		if lerrs[i] != nil {
			pb.add(field("locator"), kg.CodeBadLocator, "%v", lerrs[i])
			continue
		}
		if code, msg := kg.CheckQuoteIn(src.count, n, src.text[n], ev.Quote); code != "" {
			f := "quote"
			if code == kg.CodeBadLocator {
				f = "locator"
			}
			pb.add(field(f), code, "%s", msg)
			continue
		}
		stance := ev.Stance
		switch stance {
		case "", kg.Supports:
			stance = ""
		case kg.Disputes:
		default:
			pb.add(field("stance"), kg.CodeBadValue, "unknown stance %q", ev.Stance)
			continue
		}
		e := kg.Evidence{Source: ev.Source, Paragraph: n, Quote: ev.Quote, Stance: stance}
		if !slices.Contains(have, e) {
			have = append(have, e)
		}
	}
	return have
}

func dateField(pb *problems, at []string, in *string, old kg.Date) kg.Date {
	if in == nil {
		return old
	}
	s := strings.TrimSpace(*in)
	if s == "" {
		return kg.Date{}
	}
	d, err := kg.ParseDate(s)
	if err != nil {
		pb.add(at, kg.CodeBadDate, "%v", err)
		return old
	}
	return d
}

func checkEntityFields(pb *problems, e kg.Entity) {
	if !e.Start.IsZero() && !e.End.IsZero() && e.End.Last().Before(e.Start.First()) {
		pb.add(path("input", "end"), kg.CodeBadDate, "end %s is before start %s", e.End, e.Start)
	}
	ds := kg.Dataset{Entities: []kg.Entity{e}}
	for _, prob := range ds.Validate() {
		// Only the field rules of one entity: references and evidence are
		// checked against the graph instead.
		for _, f := range []string{"title", "status", "article", "number", "text"} {
			if strings.Contains(prob.Msg, ": "+f+" is only for") || (f == "status" && strings.Contains(prob.Msg, "unknown status")) {
				pb.add(path("input", f), kg.CodeBadValue, "%s", strings.TrimPrefix(prob.Msg, fmt.Sprintf("entity %q: ", e.ID)))
			}
		}
	}
}

func cleanList(in []string) []string {
	out := []string{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func uniq(in []string) []string {
	out := []string{}
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// entityFieldsChanged names the fields in which a and b differ.
func entityFieldsChanged(a, b kg.Entity) []string {
	var out []string
	diff := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	diff("kind", a.Kind != b.Kind)
	diff("name", a.Name != b.Name)
	diff("aliases", !slices.Equal(a.Aliases, b.Aliases))
	diff("description", a.Description != b.Description)
	diff("start", a.Start != b.Start)
	diff("end", a.End != b.End)
	diff("title", a.Title != b.Title)
	diff("status", a.Status != b.Status)
	diff("article", a.Article != b.Article)
	diff("number", a.Number != b.Number)
	diff("text", a.Text != b.Text)
	diff("facts", factsJSON(a.Facts) != factsJSON(b.Facts))
	diff("evidence", evidenceListJSON(a.Evidence) != evidenceListJSON(b.Evidence))
	return out
}

func relFieldsChanged(a, b kg.Relationship) []string {
	var out []string
	diff := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	diff("type", a.Type != b.Type)
	diff("from", a.From != b.From)
	diff("to", a.To != b.To)
	diff("start", a.Start != b.Start)
	diff("end", a.End != b.End)
	diff("description", a.Description != b.Description)
	diff("confidence", a.Confidence != b.Confidence)
	diff("claimedBy", !slices.Equal(a.ClaimedBy, b.ClaimedBy))
	diff("facts", factsJSON(a.Facts) != factsJSON(b.Facts))
	diff("evidence", evidenceListJSON(a.Evidence) != evidenceListJSON(b.Evidence))
	return out
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
