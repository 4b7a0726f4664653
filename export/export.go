// Package export writes the knowledge graph in formats other tools read:
// a lossless JSON document (which `server import` reads back), CSV tables
// for pandas and spreadsheets, GraphML for networkx, Gephi and Cytoscape,
// and a STIX 2.1 bundle for threat-intelligence platforms. Writers stream:
// they take one entity or relationship at a time and keep none of them, so
// an export costs the same memory whatever the graph's size.
package export

import (
	"io"

	"cyberkg/kg"
)

// Ref names an entity at the end of a relationship or beside a report.
type Ref struct {
	ID      string
	Kind    kg.Kind
	Name    string
	Hostile bool // see Node.Hostile
	Dated   bool // it has a start date
}

// Node is an entity with what some formats need to know of its place in
// the graph.
type Node struct {
	kg.Entity
	// Hostile: the graph holds it responsible for or the agent of an attack
	// (it TARGETED something, or something is ATTRIBUTED_TO it).
	Hostile bool
	// Neighbours of a REPORT, sorted by id: what it is about, who wrote it.
	Neighbours []Ref
}

// Edge is a relationship with both its ends described.
type Edge struct {
	kg.Relationship
	FromRef, ToRef Ref
}

// Writer writes one format. Entities come first, all of them, then the
// relationships; Close finishes the document. Writers do not close the
// underlying io.Writer.
type Writer interface {
	Entity(Node) error
	Relationship(Edge) error
	Close() error
}

// Format is one export: its file name, media type, writer, and which of
// the graph's two parts it writes (a table of entities need not read the
// relationships).
type Format struct {
	File                    string
	ContentType             string
	New                     func(io.Writer) Writer
	Entities, Relationships bool
}

// Formats lists every export, by file name.
var Formats = []Format{
	{"graph.json", "application/json", func(w io.Writer) Writer { return NewJSON(w) }, true, true},
	{"entities.csv", "text/csv; charset=utf-8", func(w io.Writer) Writer { return NewEntitiesCSV(w) }, true, false},
	{"relationships.csv", "text/csv; charset=utf-8", func(w io.Writer) Writer { return NewRelationshipsCSV(w) }, false, true},
	{"graph.graphml", "application/graphml+xml", func(w io.Writer) Writer { return NewGraphML(w) }, true, true},
	{"stix.json", "application/stix+json;version=2.1", func(w io.Writer) Writer { return NewSTIX(w) }, true, true},
}

// firstEvidence is the first piece of evidence, or none, and how many follow.
func firstEvidence(ev []kg.Evidence) (kg.Evidence, int) {
	if len(ev) == 0 {
		return kg.Evidence{}, 0
	}
	return ev[0], len(ev) - 1
}

// firstDay is the first day a date covers, as ISO 8601, or "".
func firstDay(d kg.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.First().Format("2006-01-02")
}
