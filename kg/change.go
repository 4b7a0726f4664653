package kg

import (
	"context"
	"regexp"
	"time"
)

// The change log: every committed write appends one Change, in the same
// transaction as the data it describes, so the log is exactly the history of
// the graph. Its sequence numbers are the graph's version: the response
// cache keys on the newest, the change feed follows them, and a client's
// cursor is one.

var changeIDRE = regexp.MustCompile(`^change-[1-9][0-9]*$`)

// IsChangeID reports whether id has the form of a change's id,
// "change-<seq>", which no entity or relationship may have: ids are unique
// across kinds, so node(id:) can tell them apart.
func IsChangeID(id string) bool { return changeIDRE.MatchString(id) }

// ChangeOp is what a change did to its target.
type ChangeOp string

const (
	OpCreate  ChangeOp = "CREATE"
	OpUpdate  ChangeOp = "UPDATE"
	OpRetract ChangeOp = "RETRACT"
	OpMerge   ChangeOp = "MERGE"
	OpRevert  ChangeOp = "REVERT"
)

// TargetKind is what a change item is about.
type TargetKind string

const (
	TargetEntity       TargetKind = "ENTITY"
	TargetRelationship TargetKind = "RELATIONSHIP"
	TargetEvidence     TargetKind = "EVIDENCE"
	TargetSource       TargetKind = "SOURCE"
)

// Change is one committed write: a mutation, a seed reload or an import. A
// seed reload or a merge is one change of several items.
type Change struct {
	ID     string    // stable, e.g. "change-42"; what revertChange takes
	Seq    int64     // position in the log, from 1, gapless and in commit order
	At     time.Time // record time: when the transaction committed it
	Actor  Actor     // who (Role as it was then)
	Reason string    // why, as the author said; may be empty
	Origin string    // how: "api", "seed", "import"
	Items  []ChangeItem
}

// ChangeItem is what one change did to one target.
type ChangeItem struct {
	Op      ChangeOp
	Kind    TargetKind
	Target  string   // the id of the entity, relationship, evidence or source
	Version int      // the target's version after the change
	Fields  []string // the fields it set, for OpUpdate; empty otherwise
	// Entities are the ids of the entities the item touches: an entity's own
	// id, a relationship's two ends, the entity or both ends of whatever an
	// evidence item cites. The feed filters on them.
	Entities []string
	// RelType is the relationship's type, for a relationship item (or
	// evidence on one); "" otherwise.
	RelType RelType
}

// ChangeFilter narrows a read of the log; a zero field matches everything.
type ChangeFilter struct {
	Entity string       // changes with an item touching this entity
	Types  []RelType    // changes with an item of one of these relationship types
	Kinds  []TargetKind // changes with an item of one of these kinds
	Actor  string       // changes made by this actor id
}

// ChangeLog reads the log. Writers append to it through the write service,
// never directly.
type ChangeLog interface {
	// Head is the newest change's Seq (0 for a graph with no changes yet):
	// the graph's version.
	Head(ctx context.Context) (int64, error)
	// ChangesAfter returns at most limit changes with Seq > after that match
	// f, oldest first. An after older than the log retains is an error of
	// kind errs.Invalid whose message says the oldest Seq still held.
	ChangesAfter(ctx context.Context, after int64, f ChangeFilter, limit int) ([]Change, error)
}
