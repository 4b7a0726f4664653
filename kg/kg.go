package kg

import (
	"fmt"
	"regexp"
)

// Entity is a node of the graph: a state, agency, firm, person, law, event…
type Entity struct {
	ID          string
	Kind        Kind
	Name        string
	Aliases     []string
	Description string
	Start, End  Date // when it happened, was issued or took effect; when it ended or was suspended

	Title   string    // PERSON: role as the source gives it
	Status  LawStatus // LAW
	Article int       // LAW: article number, for an article entity
	Number  int       // RECOMMENDATION: its number in the source
	Text    string    // REPORT: path of the source text that evidence quotes, if the graph has it

	Facts    []Fact
	Evidence []Evidence

	Version int // 1 for a new entity; each change that touches it adds one
}

// LawStatus is where a law or regulation stands as the source last describes
// it. It has no date: when a law was in force is its IN_FORCE_IN
// relationship, whose start and end asOf compares.
type LawStatus string

const (
	Draft     LawStatus = "DRAFT"
	Adopted   LawStatus = "ADOPTED"
	InForce   LawStatus = "IN_FORCE"
	Suspended LawStatus = "SUSPENDED"
	Withdrawn LawStatus = "WITHDRAWN"
)

// LawStatuses lists every status.
var LawStatuses = []LawStatus{Draft, Adopted, InForce, Suspended, Withdrawn}

// Relationship is a directed, typed edge with its time, hedging and evidence.
type Relationship struct {
	ID          string
	Type        RelType
	From, To    string
	Start, End  Date // when it held
	Description string
	Confidence  Confidence
	ClaimedBy   []string // ids of the entities that assert it, where that matters

	Facts    []Fact
	Evidence []Evidence

	Version int // as Entity.Version
}

// Fact is a typed quantity stated by a source. Like a claim, it may rest on
// several pieces of evidence, some supporting it and some disputing it.
type Fact struct {
	Name     string
	Value    string   // as written: "$975 million"
	Number   *float64 // normalised: 975000000
	Unit     string   // USD, people, incidents, percent…
	Date     Date
	Evidence []Evidence // in the order added; the first is the one it was stated with
}

// Evidence ties a statement to the exact words of a source.
type Evidence struct {
	Source    string // id of a REPORT entity
	Paragraph int    // 1-based; paragraphs are the source's non-empty lines
	Quote     string // copied exactly from that paragraph
	Stance    Stance // DISPUTES, or SUPPORTS (also when "", as stored)
}

// Locator names the place in the source, e.g. "¶25".
func (e Evidence) Locator() string { return fmt.Sprintf("¶%d", e.Paragraph) }

// Dataset is a whole graph, as the loader writes it.
type Dataset struct {
	Entities      []Entity
	Relationships []Relationship
	Sources       Sources // texts that evidence quotes, by REPORT id
	// SourceInfo is what is known of some of those sources (author,
	// publisher, date, reliability), when the dataset says; may be nil.
	SourceInfo map[string]Source
	// History is the change log and versions that an export carried, to be
	// restored by an import into an empty graph; nil when none was.
	History *History
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidID reports whether s is a readable, stable slug id.
func ValidID(s string) bool { return slugRE.MatchString(s) }

// DefaultRelationshipID is the id of a relationship that has none of its own.
func DefaultRelationshipID(from string, t RelType, to string) string {
	return fmt.Sprintf("%s--%s--%s", from, lowerDash(string(t)), to)
}

func lowerDash(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c == '_':
			b[i] = '-'
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
