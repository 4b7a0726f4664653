package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"cyberkg/kg"
)

// What a cached answer depends on, so that it outlives the changes that
// cannot alter it. A change is one curation write (origin "api") of items
// that each name the entities they touch (kg.ChangeItem.Entities: an
// entity's own id, a relationship's two ends, what evidence is on). An
// answer to an operation graph/direct knows whose root fields are lookups
// by id or traversals (entity, neighborhood, chain, paths) depends on
//
//   - the entities the request read through its loaders: whatever it shows
//     of an entity, a relationship (both ends are read) or evidence, a
//     change to it touches one of them; and
//   - the graph's structure: any change but an update of an entity's
//     presentational fields or of evidence (structural, below) may add a
//     relationship to an entity read, move one into force on a date, or
//     make a shorter path, so it leaves these answers behind.
//
// Those operations' fields are a closed list, with no filters on far ends
// and no record times, so nothing else can alter their answers. The
// timeline is one of them too: which entities it lists and in what order
// follow from their kinds and dates (structural), never from their names.
// A page of entities (entities) is ordered by name, so it depends as well
// on every entity's name: a renamed entity may move into the page, out of
// it or within it. Every other answer (search, which matches the text of
// any entity, counts, anything gqlgen alone answers) depends on every
// change. Changes not made through the API (seed reloads, imports), merges
// and reverts leave every answer behind.
type dependence int

const (
	onReadAndStructure      dependence = iota // the entities read and the graph's structure
	onReadStructureAndNames                   // as onReadAndStructure, and every entity's name
	onAll                                     // any change
)

// presentational are the entity fields whose change alters only answers
// that show the entity: not its place in the graph (its start and end
// date the relationships in force on a day).
var presentational = map[string]bool{
	"name": true, "aliases": true, "description": true, "facts": true, "evidence": true,
	"title": true, "status": true, "text": true, "number": true, "article": true,
}

// changeIndex is what the cache knows of the change log: up to which
// change (applied), and the entities each change since floor touched. An
// answer made at version v with entities deps is still the answer at
// version applied when no change after v touched deps and, as its
// dependence says, none was structural, renamed an entity, or happened at
// all.
type changeIndex struct {
	mu         sync.Mutex
	applied    int64 // -1 until the first read of the log
	floor      int64 // answers made before it are left behind (the log could not be read that far, or the index let it go)
	lastAny    int64 // the last change
	structural int64 // the last structural change (or one not fine-grained)
	named      int64 // the last change of an entity's name
	// recent is the changes after floor that touched entities, oldest
	// first: a check walks back only over the changes made since the
	// answer, each id looked up in the answer's sorted reads, so an answer
	// that read thousands of entities costs a hit no more than one that
	// read a few.
	recent  []touch
	touched int // the ids in recent
}

// touch is one change's entities.
type touch struct {
	seq int64
	ids []string
}

// maxTouched bounds the index: past it, the oldest changes are let go and
// answers made before them are left behind.
const maxTouched = 100_000

func newChangeIndex() *changeIndex { return &changeIndex{applied: -1} }

// valid reports whether an answer made at version v, reading deps (sorted)
// with dependence d, is still the answer at the version applied.
func (x *changeIndex) valid(v int64, deps []string, d dependence) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case v < x.floor, x.structural > v:
		return false
	case d == onAll && x.lastAny > v:
		return false
	case d == onReadStructureAndNames && x.named > v:
		return false
	}
	for i := len(x.recent) - 1; i >= 0 && x.recent[i].seq > v; i-- {
		for _, id := range x.recent[i].ids {
			if _, found := slices.BinarySearch(deps, id); found {
				return false
			}
		}
	}
	return true
}

// apply takes changes read from the log after applied, oldest first.
func (x *changeIndex) apply(changes []kg.Change) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, c := range changes {
		if c.Seq <= x.applied {
			continue
		}
		x.lastAny = c.Seq
		if !fineGrained(c) {
			x.restart(c.Seq)
			continue
		}
		t := touch{seq: c.Seq}
		for _, it := range c.Items {
			if structural(it) {
				x.structural = c.Seq
			}
			if renames(it) {
				x.named = c.Seq
			}
			t.ids = append(t.ids, it.Entities...)
		}
		if len(t.ids) > 0 {
			x.recent = append(x.recent, t)
			x.touched += len(t.ids)
		}
		x.applied = c.Seq
	}
	for x.touched > maxTouched {
		x.floor = x.recent[0].seq // answers made before it could no longer be checked against it
		x.touched -= len(x.recent[0].ids)
		x.recent = x.recent[1:]
	}
}

// restart leaves every answer made before seq behind.
func (x *changeIndex) restart(seq int64) {
	x.floor, x.applied = seq, seq
	x.lastAny, x.structural, x.named = max(x.lastAny, seq), max(x.structural, seq), max(x.named, seq)
	x.recent, x.touched = nil, 0
}

// behind is the version to read the log from, or false when it is at head.
func (x *changeIndex) behind(head int64) (int64, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.applied, x.applied < head
}

// fineGrained reports whether the items of c say all it changed: a
// curation write's do; a seed reload, an import, a merge or a revert may
// change what no item names.
func fineGrained(c kg.Change) bool {
	return c.Origin == "api" && !slices.ContainsFunc(c.Items, func(it kg.ChangeItem) bool {
		return it.Op == kg.OpMerge || it.Op == kg.OpRevert
	})
}

// structural reports whether an item may change the graph's shape: any but
// an update of an entity's presentational fields, or of evidence and
// sources (which traversals do not follow).
func structural(it kg.ChangeItem) bool {
	switch it.Kind {
	case kg.TargetEvidence, kg.TargetSource:
		return false
	case kg.TargetEntity:
		if it.Op != kg.OpUpdate {
			return true
		}
		for _, f := range it.Fields {
			if !presentational[f] {
				return true
			}
		}
		return false
	}
	return true
}

// renames reports whether an item changes an entity's name, which orders
// pages of entities.
func renames(it kg.ChangeItem) bool {
	return it.Kind == kg.TargetEntity && it.Op == kg.OpUpdate && slices.Contains(it.Fields, "name")
}

// changeFollower brings an index up to a head read from the log, one
// request at a time (the others wait for it: an answer may be checked only
// against an index at least as new as the head the request read).
type changeFollower struct {
	mu      sync.Mutex
	index   *changeIndex
	read    func(ctx context.Context, after int64, limit int) ([]kg.Change, error)
	timeout time.Duration
}

// upTo applies the changes up to head. When the log cannot be read from
// where the index is (it no longer holds them, or the read fails), the
// index restarts from head.
func (f *changeFollower) upTo(head int64) {
	if _, behind := f.index.behind(head); !behind {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		after, behind := f.index.behind(head)
		if !behind {
			return
		}
		if after < 0 {
			f.index.mu.Lock()
			f.index.restart(head) // nothing is cached yet from before
			f.index.mu.Unlock()
			return
		}
		// Shared by the requests waiting, so not one request's Cypher nor
		// bound by its deadline (as the version's read, head.go).
		rctx, cancel := context.WithTimeout(context.Background(), f.timeout)
		cs, err := f.read(rctx, after, 200)
		cancel()
		if err != nil || len(cs) == 0 || cs[0].Seq != after+1 {
			f.index.mu.Lock()
			f.index.restart(head)
			f.index.mu.Unlock()
			return
		}
		f.index.apply(cs)
	}
}
