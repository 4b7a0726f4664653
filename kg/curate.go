package kg

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Curation: the write service, in the domain's words. Every write of the
// graph — a curator's mutation, `server seed`, `server import` — is one call
// of WriteService, which checks the change against the graph as it stands
// and then commits, in one transaction, the data, its versions (the audit:
// who, when, why, what changed) and its Change in the log.

// Stance is what a piece of evidence says of the claim it is attached to.
type Stance string

const (
	Supports Stance = "SUPPORTS"
	Disputes Stance = "DISPUTES"
)

// Reliability grades a source, as analysts grade reports.
type Reliability string

const (
	ReliabilityUnknown Reliability = "UNKNOWN"
	ReliabilityLow     Reliability = "LOW"
	ReliabilityMedium  Reliability = "MEDIUM"
	ReliabilityHigh    Reliability = "HIGH"
)

// Reliabilities lists every grade.
var Reliabilities = []Reliability{ReliabilityUnknown, ReliabilityLow, ReliabilityMedium, ReliabilityHigh}

// Source is a document the graph quotes, stored paragraph by paragraph.
// Each has a REPORT entity of the same id, which is what evidence names.
type Source struct {
	ID          string
	Title       string
	Author      string
	Publisher   string
	Date        Date
	URL         string
	Reliability Reliability
	Paragraphs  []string // its non-empty lines, from 1 (Paragraphs)
	Version     int
}

// Contested reports whether the entity's evidence both supports and
// disputes it.
func (e *Entity) Contested() bool { return contested(e.Evidence) }

// Contested reports whether the relationship's evidence both supports and
// disputes it.
func (r *Relationship) Contested() bool { return contested(r.Evidence) }

func contested(ev []Evidence) bool {
	var sup, dis bool
	for _, e := range ev {
		if e.Stance == Disputes {
			dis = true
		} else {
			sup = true
		}
	}
	return sup && dis
}

// Version is one version of an entity, relationship or source: what the
// history lists. Versions are never overwritten, only superseded.
type Version struct {
	Target     string
	Kind       TargetKind
	Version    int
	RecordedAt time.Time // when the graph learned it (zero: before record time began)
	Superseded time.Time // when a later version replaced it; zero while current
	ChangeID   string
	Actor      Actor
	Reason     string
	Op         ChangeOp
	Fields     []string // what the change set
	Retracted  bool
}

// Write problem codes: what a userError says went wrong, by field.
const (
	CodeQuoteNotInSource = "QUOTE_NOT_IN_SOURCE"
	CodeUnknownEntity    = "UNKNOWN_ENTITY"
	CodeUnknownSource    = "UNKNOWN_SOURCE"
	CodeVersionConflict  = "VERSION_CONFLICT"
	CodeBadDate          = "BAD_DATE"
	CodeBadLocator       = "BAD_LOCATOR"
	CodeBadValue         = "BAD_VALUE"
	CodeRequired         = "REQUIRED"
	CodeExists           = "ALREADY_EXISTS"
	CodeNotFound         = "NOT_FOUND"
)

// FieldError is one reason a write was refused, naming the input field.
type FieldError struct {
	Path    []string // e.g. ["input", "evidence", "0", "quote"]
	Code    string
	Message string
}

// WriteError is a write refused by its checks: nothing was written.
// Current is the target's version when the refusal is a VERSION_CONFLICT.
type WriteError struct {
	Problems []FieldError
	Current  int
}

func (e *WriteError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = strings.Join(p.Path, ".") + ": " + p.Message
	}
	return strings.Join(msgs, "; ")
}

// Write is how a write is made: why, and whether only to check it.
type Write struct {
	Reason       string
	ValidateOnly bool // run every check, write nothing
}

// EvidenceInput cites a paragraph of a source.
type EvidenceInput struct {
	Source  string
	Locator string // "¶12" or "12"
	Quote   string
	Stance  Stance // "" means SUPPORTS
}

// EntityInput creates or updates an entity. On an update, a nil field keeps
// what the entity has; an empty string clears it.
type EntityInput struct {
	ID          string
	Kind        Kind
	Name        *string
	Aliases     []string // nil keeps
	Description *string
	Start, End  *string // dates as written: "2014", "2015-09", "2015-09-25"; "" clears
	Title       *string
	Status      *string
	Evidence    []EvidenceInput // added to what it has
	// ExpectedVersion is the version the caller read: 0 to create.
	ExpectedVersion int
}

// RelationshipInput creates or updates a relationship; as EntityInput.
type RelationshipInput struct {
	ID              string // "" for DefaultRelationshipID
	Type            RelType
	From, To        string
	Start, End      *string
	Description     *string
	Confidence      *string
	ClaimedBy       []string
	Evidence        []EvidenceInput
	ExpectedVersion int
}

// SourceInput adds a source: its text is split into paragraphs, and a REPORT
// entity of the same id is made for evidence to name.
type SourceInput struct {
	ID          string
	Title       string
	Author      string
	Publisher   string
	Date        string
	URL         string
	Reliability Reliability
	Text        string
}

// MergeInput merges entity From into entity Into: From's relationships move
// to Into, its name and aliases become Into's aliases, its evidence joins
// Into's, and From is retracted as merged.
type MergeInput struct {
	Into, From               string
	IntoVersion, FromVersion int // expected versions
}

// Written is what a write made: the change (zero for a ValidateOnly write
// or one that changed nothing) and the target's version after it.
type Written struct {
	Change  Change
	Target  string
	Version int
}

// WriteService is every way the graph is written. Each method checks the
// caller's role (ActorFromContext: writes need RoleCurator; merges and
// reverting another's change RoleAdmin), then the change against the graph,
// then commits it in one transaction with its versions and its Change.
// Refused checks are a *WriteError; refused roles errs.Forbidden or, for
// an anonymous caller, errs.Unauthenticated.
type WriteService interface {
	AddSource(ctx context.Context, in SourceInput, w Write) (Written, error)
	UpsertEntity(ctx context.Context, in EntityInput, w Write) (Written, error)
	UpsertRelationship(ctx context.Context, in RelationshipInput, w Write) (Written, error)
	AddEvidence(ctx context.Context, target string, ev EvidenceInput, expectedVersion int, w Write) (Written, error)
	Retract(ctx context.Context, id string, expectedVersion int, w Write) (Written, error)
	MergeEntities(ctx context.Context, in MergeInput, w Write) (Written, error)
	RevertChange(ctx context.Context, changeID string, w Write) (Written, error)
	// ApplyDataset makes what origin ("seed", "import") contributed to the
	// graph equal to ds, as one change: its diff. With owned, only targets
	// whose current version origin wrote are updated or retracted; what
	// others added or retracted is left as they left it.
	ApplyDataset(ctx context.Context, ds *Dataset, origin string, owned bool) (Change, error)
}

// ParseLocator reads "¶12", "p12" or "12" as paragraph 12.
func ParseLocator(s string) (int, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "¶")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "p"), ".")
	n, err := strconv.Atoi(strings.TrimSpace(t))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("locator %q: want a paragraph such as ¶12", s)
	}
	return n, nil
}

// CheckQuote checks a citation against its source's paragraphs.
func CheckQuote(paragraphs []string, p int, quote string) (code, msg string) {
	text := ""
	if p >= 1 && p <= len(paragraphs) {
		text = paragraphs[p-1]
	}
	return CheckQuoteIn(len(paragraphs), p, text, quote)
}

// CheckQuoteIn is CheckQuote for a source of count paragraphs whose p-th
// is text: what a store reads when it fetches only the cited paragraph.
func CheckQuoteIn(count, p int, text, quote string) (code, msg string) {
	switch {
	case p < 1 || p > count:
		return CodeBadLocator, fmt.Sprintf("the source has paragraphs 1 to %d", count)
	case strings.TrimSpace(quote) == "":
		return CodeRequired, "empty quote"
	case !strings.Contains(text, quote):
		return CodeQuoteNotInSource, fmt.Sprintf("quote %q is not in ¶%d", quote, p)
	}
	return "", ""
}
