package store

import (
	"encoding/json"
	"maps"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/kg"
)

// How domain values are stored. Dates keep the string as written (its
// precision) beside the first and last day it covers, which sorting, range
// filters and asOf compare. Facts and evidence are nested records, which
// Neo4j properties cannot hold, so they are stored as JSON; the sources they
// cite are also a list property, for filtering. An empty list is left out,
// not stored empty: Neo4j's offline importer cannot write an empty list, and
// both ways of loading must give the same graph (a missing list reads as
// empty, here and in Cypher's any(a IN n.aliases ...)).

type evidenceJSON struct {
	Source    string `json:"source"`
	Paragraph int    `json:"paragraph"`
	Quote     string `json:"quote"`
	Stance    string `json:"stance,omitempty"` // absent: SUPPORTS
}

type factJSON struct {
	Name     string           `json:"name"`
	Value    string           `json:"value"`
	Number   *float64         `json:"number,omitempty"`
	Unit     string           `json:"unit,omitempty"`
	Date     string           `json:"date,omitempty"`
	Evidence factEvidenceJSON `json:"evidence"`
}

// factEvidenceJSON is a fact's evidence as stored: a list, or, as stored
// before a fact could hold several pieces, one object.
type factEvidenceJSON []evidenceJSON

func (l *factEvidenceJSON) UnmarshalJSON(b []byte) error {
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		var one evidenceJSON
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = factEvidenceJSON{one}
		return nil
	}
	return json.Unmarshal(b, (*[]evidenceJSON)(l))
}

func setDate(props map[string]any, field string, d kg.Date) {
	if d.IsZero() {
		return
	}
	props[field] = d.String()
	props[field+"First"] = neo4j.DateOf(d.First())
	props[field+"Last"] = neo4j.DateOf(d.Last())
}

// dateParam is a date as Cypher compares it, or nil.
func dateParam(d kg.Date) any {
	if d.IsZero() {
		return nil
	}
	return neo4j.DateOf(d.First())
}

// A Property is one property the loader writes and the type of its values,
// for writers of other formats: store/bulk writes the same properties as CSV
// for Neo4j's offline importer.
type Property struct {
	Name string
	Type PropertyType
}

// PropertyType is the Go type of a property's value in EntityProps and
// RelationshipProps.
type PropertyType int

const (
	String     PropertyType = iota // string
	StringList                     // []string, never empty
	Date                           // neo4j.Date
	Int                            // int
)

// NameKey is the property Load sets to toLower(name) in Cypher: pages sort by it.
const NameKey = "nameKey"

// EntityProperties are every property Load may write for an entity: those of
// EntityProps and NameKey. RelationshipProperties are those of RelationshipProps.
var (
	EntityProperties = []Property{
		{"id", String}, {"kind", String}, {"name", String}, {NameKey, String},
		{"aliases", StringList}, {"aliasText", String}, {"description", String},
		{"start", String}, {"startFirst", Date}, {"startLast", Date},
		{"end", String}, {"endFirst", Date}, {"endLast", Date},
		{"title", String}, {"status", String}, {"article", Int}, {"number", Int}, {"text", String},
		{"facts", String}, {"evidence", String}, {"sources", StringList},
	}
	RelationshipProperties = []Property{
		{"id", String}, {"description", String}, {"confidence", String}, {"claimedBy", StringList},
		{"start", String}, {"startFirst", Date}, {"startLast", Date},
		{"end", String}, {"endFirst", Date}, {"endLast", Date}, {"validFrom", Date},
		{"facts", String}, {"evidence", String}, {"sources", StringList}, {"stances", StringList},
	}
)

// EntityProps are the properties Load writes for an entity, as the driver
// sends them (EntityProperties lists them and their types), but nameKey,
// which Load's Cypher computes.
func EntityProps(e kg.Entity) map[string]any {
	p := map[string]any{
		"id":          e.ID,
		"kind":        string(e.Kind),
		"name":        e.Name,
		"aliasText":   strings.Join(e.Aliases, " | "),
		"description": e.Description,
		"facts":       factsJSON(e.Facts),
		"evidence":    evidenceListJSON(e.Evidence),
	}
	setList(p, "aliases", e.Aliases)
	setList(p, "sources", sources(e.Evidence, e.Facts))
	setDate(p, "start", e.Start)
	setDate(p, "end", e.End)
	if e.Title != "" {
		p["title"] = e.Title
	}
	if e.Status != "" {
		p["status"] = string(e.Status)
	}
	if e.Article != 0 {
		p["article"] = e.Article
	}
	if e.Number != 0 {
		p["number"] = e.Number
	}
	if e.Text != "" {
		p["text"] = e.Text
	}
	return p
}

func relationshipProps(r kg.Relationship) map[string]any {
	p := map[string]any{
		"id":          r.ID,
		"description": r.Description,
		"confidence":  string(r.Confidence),
		"facts":       factsJSON(r.Facts),
		"evidence":    evidenceListJSON(r.Evidence),
	}
	setList(p, "claimedBy", r.ClaimedBy)
	setList(p, "sources", sources(r.Evidence, r.Facts))
	setList(p, "stances", stances(r.Evidence))
	setDate(p, "start", r.Start)
	setDate(p, "end", r.End)
	return p
}

// stances are the stances of a relationship's evidence, each once and
// spelled out (SUPPORTS too), for the stance filter to test with IN.
func stances(ev []kg.Evidence) []string {
	var supports, disputes bool
	for _, e := range ev {
		if e.Stance == kg.Disputes {
			disputes = true
		} else {
			supports = true
		}
	}
	var out []string
	if supports {
		out = append(out, string(kg.Supports))
	}
	if disputes {
		out = append(out, string(kg.Disputes))
	}
	return out
}

func setList(props map[string]any, field string, list []string) {
	if len(list) > 0 {
		props[field] = list
	}
}

// entityFrom reads an entity projected as a map (entityProjection, or a
// node's properties).
func entityFrom(p map[string]any) kg.Entity {
	var row [len(entityRowFields)]any
	for i, f := range entityRowFields {
		row[i] = p[f]
	}
	return entityFromRow(row[:])
}

// versionOf reads a version property; a graph written before versions (or
// by a load, which writes none) is at version 1.
func versionOf(p map[string]any) int { return version(p["version"]) }

func version(v any) int {
	if n, ok := v.(int64); ok && n > 0 {
		return int(n)
	}
	return 1
}

// relationshipFrom reads a relationship projected as
// r{.*, type: type(r), from: startNode(r).id, to: endNode(r).id}.
func relationshipFrom(p map[string]any) kg.Relationship {
	var row [len(relRowFields)]any
	for i, f := range relRowFields {
		row[i] = p[f]
	}
	r := relationshipFromRow(row[:])
	r.From, r.To = str(p["from"]), str(p["to"])
	return r
}

// A Projection says which optional properties of entities and
// relationships a read returns; ids, kinds, types and ends always come, and
// what is left out reads as empty (a version as 1). Facts and evidence are
// JSON that is costly to send and decode, and a traversal that shows ids and
// names took a third of the time without the rest. Even a version is read
// only when shown: each property is a lookup for Neo4j, and on O2's nested
// page the versions were a tenth of the statement's database hits. The
// zero value, All, returns every property. The caller (the GraphQL plan)
// says what it will read; nothing about it travels in a context.
type Projection struct {
	limited              bool
	entity, relationship map[string]bool
}

// All is the projection of every property.
var All Projection

// Project returns the projection of the named properties: of entities
// (names from EntityFields) and of relationships (RelationshipFields).
// Other names are ignored.
func Project(entity, relationship []string) Projection {
	p := Projection{limited: true, entity: map[string]bool{}, relationship: map[string]bool{}}
	for _, f := range entity {
		p.entity[f] = true
	}
	for _, f := range relationship {
		p.relationship[f] = true
	}
	return p
}

// withEntity is p with the entity properties named too: those the store
// itself reads (search ranks by them).
func (p Projection) withEntity(names ...string) Projection {
	if !p.limited {
		return p
	}
	q := Projection{limited: true, entity: maps.Clone(p.entity), relationship: p.relationship}
	for _, f := range names {
		q.entity[f] = true
	}
	return q
}

// relProjection is the Cypher map of relationship r that relationshipFrom
// reads: its id, type and ends, and p's properties.
func relProjection(p Projection) string {
	const ends = `type: type(r), from: startNode(r).id, to: endNode(r).id`
	if !p.limited {
		return `r{.*, ` + ends + `}`
	}
	return `r{.id, ` + properties(RelationshipFields, p.relationship) + ends + `}`
}

// entityProjection is the Cypher map of entity v that entityFrom reads: its
// id and kind and p's properties, and the properties the store itself reads
// (also).
func entityProjection(p Projection, v string, also ...string) string {
	if !p.limited {
		return v + `{.*}`
	}
	p = p.withEntity(also...)
	return v + `{.id, ` + properties(EntityFields, p.entity) + `.kind}`
}

// EntityFields and RelationshipFields are the optional properties of
// entities and relationships that a Projection can name; only these names
// are ever spliced into Cypher.
var (
	EntityFields       = []string{"version", "name", "aliases", "description", "start", "end", "title", "status", "article", "number", "text", "facts", "evidence"}
	RelationshipFields = []string{"version", "description", "confidence", "claimedBy", "start", "end", "facts", "evidence"}
)

func properties(all []string, wanted map[string]bool) string {
	var b strings.Builder
	for _, p := range all {
		if wanted[p] {
			b.WriteString("." + p + ", ")
		}
	}
	return b.String()
}

func factsJSON(fs []kg.Fact) string {
	out := make([]factJSON, len(fs))
	for i, f := range fs {
		ev := make(factEvidenceJSON, len(f.Evidence))
		for j, e := range f.Evidence {
			ev[j] = evidenceToJSON(e)
		}
		out[i] = factJSON{f.Name, f.Value, f.Number, f.Unit, f.Date.String(), ev}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func evidenceListJSON(es []kg.Evidence) string {
	out := make([]evidenceJSON, len(es))
	for i, e := range es {
		out[i] = evidenceToJSON(e)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// A stance of SUPPORTS is stored and read as "", the default, so that the
// evidence of graphs written before stances reads the same.
func evidenceToJSON(e kg.Evidence) evidenceJSON {
	stance := string(e.Stance)
	if e.Stance == kg.Supports {
		stance = ""
	}
	return evidenceJSON{e.Source, e.Paragraph, e.Quote, stance}
}

func evidenceFromJSON(e evidenceJSON) kg.Evidence {
	return kg.Evidence{Source: e.Source, Paragraph: e.Paragraph, Quote: e.Quote, Stance: kg.Stance(e.Stance)}
}

// factsFrom and evidenceFrom read a JSON property. Absent (not asked for,
// or none stored) it is an empty list, read without json.Unmarshal's error
// for empty input: a neighbourhood's 400 items made 800 such errors.
func factsFrom(v any) []kg.Fact {
	s := str(v)
	if s == "" {
		return []kg.Fact{}
	}
	var in []factJSON
	_ = json.Unmarshal([]byte(s), &in)
	out := make([]kg.Fact, len(in))
	for i, f := range in {
		ev := make([]kg.Evidence, len(f.Evidence))
		for j, e := range f.Evidence {
			ev[j] = evidenceFromJSON(e)
		}
		out[i] = kg.Fact{Name: f.Name, Value: f.Value, Number: f.Number, Unit: f.Unit, Date: date(f.Date), Evidence: ev}
	}
	return out
}

func evidenceFrom(v any) []kg.Evidence {
	s := str(v)
	if s == "" {
		return []kg.Evidence{}
	}
	var in []evidenceJSON
	_ = json.Unmarshal([]byte(s), &in)
	out := make([]kg.Evidence, len(in))
	for i, e := range in {
		out[i] = evidenceFromJSON(e)
	}
	return out
}

func sources(ev []kg.Evidence, facts []kg.Fact) []string {
	seen := map[string]bool{}
	out := []string{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, e := range ev {
		add(e.Source)
	}
	for _, f := range facts {
		for _, e := range f.Evidence {
			add(e.Source)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int64 {
	n, _ := v.(int64)
	return n
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, str(x))
	}
	return out
}

// date reads a date property; absent, it is the zero Date (unknown),
// without ParseDate's regexp and error.
func date(v any) kg.Date {
	s := str(v)
	if s == "" {
		return kg.Date{}
	}
	d, _ := kg.ParseDate(s)
	return d
}
