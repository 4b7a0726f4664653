package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"cyberkg/kg"
)

// The JSON format, version 2:
//
//	{"format": "cyberkg-graph", "version": 2,
//	 "entities": [Entity…], "relationships": [Relationship…],
//	 "sources": [Source…], "changes": [Change…], "versions": [Version…]}
//
// Every field of every entity and relationship is kept; dates are as
// written ("2015", "2015-09", "2015-09-25"); empty fields are left out.
// Entities are sorted by id, relationships by their from entity's id, then
// their own id, so that the same graph always gives the same bytes. An
// export of the whole graph also carries its change log and every recorded
// version (json_history.go), which an import into an empty graph restores.
//
// Version 1 differed only in a fact's evidence, one object rather than a
// list, and in carrying no log; ReadJSON reads both.
const (
	FormatName    = "cyberkg-graph"
	FormatVersion = 2
)

type jsonDocument struct {
	Format        string             `json:"format"`
	Version       int                `json:"version"`
	Entities      []jsonEntity       `json:"entities"`
	Relationships []jsonRelationship `json:"relationships"`
	Sources       []jsonSource       `json:"sources,omitempty"`
	Changes       []jsonChange       `json:"changes,omitempty"`
	Versions      []jsonVersion      `json:"versions,omitempty"`
}

// jsonSource is a source's text, paragraph by paragraph, and what is known
// of it: an import needs no text files beside the document.
type jsonSource struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Author      string         `json:"author,omitempty"`
	Publisher   string         `json:"publisher,omitempty"`
	Date        string         `json:"date,omitempty"`
	URL         string         `json:"url,omitempty"`
	Reliability kg.Reliability `json:"reliability,omitempty"`
	Version     int            `json:"version,omitempty"`
	Paragraphs  []string       `json:"paragraphs"`
}

type jsonEntity struct {
	ID          string         `json:"id"`
	Kind        kg.Kind        `json:"kind"`
	Name        string         `json:"name"`
	Aliases     []string       `json:"aliases,omitempty"`
	Description string         `json:"description,omitempty"`
	Start       string         `json:"start,omitempty"`
	End         string         `json:"end,omitempty"`
	Title       string         `json:"title,omitempty"`
	Status      kg.LawStatus   `json:"status,omitempty"`
	Article     int            `json:"article,omitempty"`
	Number      int            `json:"number,omitempty"`
	Text        string         `json:"text,omitempty"`
	Facts       []jsonFact     `json:"facts,omitempty"`
	Evidence    []jsonEvidence `json:"evidence"`
	Version     int            `json:"version,omitempty"` // left out at 1
}

type jsonRelationship struct {
	ID          string         `json:"id"`
	Type        kg.RelType     `json:"type"`
	From        string         `json:"from"`
	To          string         `json:"to"`
	Start       string         `json:"start,omitempty"`
	End         string         `json:"end,omitempty"`
	Description string         `json:"description,omitempty"`
	Confidence  kg.Confidence  `json:"confidence"`
	ClaimedBy   []string       `json:"claimedBy,omitempty"`
	Facts       []jsonFact     `json:"facts,omitempty"`
	Evidence    []jsonEvidence `json:"evidence"`
	Version     int            `json:"version,omitempty"` // left out at 1
}

type jsonFact struct {
	Name     string           `json:"name"`
	Value    string           `json:"value"`
	Number   *float64         `json:"number,omitempty"`
	Unit     string           `json:"unit,omitempty"`
	Date     string           `json:"date,omitempty"`
	Evidence jsonFactEvidence `json:"evidence"`
}

// jsonFactEvidence is a fact's evidence: a list, or in version 1 one object.
type jsonFactEvidence []jsonEvidence

func (l *jsonFactEvidence) UnmarshalJSON(b []byte) error {
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		var one jsonEvidence
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = jsonFactEvidence{one}
		return nil
	}
	return json.Unmarshal(b, (*[]jsonEvidence)(l))
}

type jsonEvidence struct {
	Source    string    `json:"source"`
	Paragraph int       `json:"paragraph"`
	Quote     string    `json:"quote"`
	Stance    kg.Stance `json:"stance,omitempty"` // absent: SUPPORTS
}

// JSON writes the lossless JSON format.
type JSON struct {
	w        *bufio.Writer
	state    int // 0 nothing written, 1 in entities, 2 in relationships, 3 in sources, 4 in changes, 5 in versions
	n        int // items written in the current array
	reports  map[string]bool
	srcs     []kg.Source // written on the way into the sources (to)
	haveSrcs bool
	err      error // of writing the sources
}

// NewJSON starts a JSON document on w.
func NewJSON(w io.Writer) *JSON { return &JSON{w: bufio.NewWriter(w)} }

func (j *JSON) to(state int) {
	if j.state == 0 {
		fmt.Fprintf(j.w, "{\"format\":%q,\"version\":%d,\n\"entities\":[", FormatName, FormatVersion)
		j.state, j.n = 1, 0
	}
	if j.state == 1 && state >= 2 {
		j.w.WriteString("],\n\"relationships\":[")
		j.state, j.n = 2, 0
	}
	if j.state == 2 && state >= 3 {
		j.w.WriteString("],\n\"sources\":[")
		j.state, j.n = 3, 0
		j.err = j.writeSources()
	}
	if j.state == 3 && state >= 4 {
		j.w.WriteString("],\n\"changes\":[")
		j.state, j.n = 4, 0
	}
	if j.state == 4 && state == 5 {
		j.w.WriteString("],\n\"versions\":[")
		j.state, j.n = 5, 0
	}
}

// Sources gives the sources the document carries: those of the REPORT
// entities written, after the relationships and before the change log. It
// may be called before the entities; they are written when the document
// gets there.
func (j *JSON) Sources(srcs []kg.Source) error {
	j.srcs, j.haveSrcs = srcs, true
	if j.state >= 3 {
		return fmt.Errorf("export: sources after the change log")
	}
	return nil
}

func (j *JSON) writeSources() error {
	for _, s := range j.srcs {
		if !j.reports[s.ID] {
			continue
		}
		if err := j.item(jsonSource{ID: s.ID, Title: s.Title, Author: s.Author, Publisher: s.Publisher, Date: s.Date.String(),
			URL: s.URL, Reliability: s.Reliability, Version: above1(s.Version), Paragraphs: s.Paragraphs}); err != nil {
			return err
		}
	}
	return nil
}

func above1(v int) int {
	if v <= 1 {
		return 0
	}
	return v
}

func (j *JSON) item(v any) error {
	if j.n > 0 {
		j.w.WriteString(",")
	}
	j.w.WriteString("\n")
	j.n++
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

// Entity writes one entity.
func (j *JSON) Entity(n Node) error {
	if j.state > 1 {
		return fmt.Errorf("export: entity %q after relationships", n.ID)
	}
	j.to(1)
	e := n.Entity
	if e.Kind == kg.Report {
		if j.reports == nil {
			j.reports = map[string]bool{}
		}
		j.reports[e.ID] = true
	}
	return j.item(entityToJSON(e))
}

func entityToJSON(e kg.Entity) jsonEntity {
	return jsonEntity{
		ID: e.ID, Kind: e.Kind, Name: e.Name, Aliases: e.Aliases, Description: e.Description,
		Start: e.Start.String(), End: e.End.String(), Title: e.Title, Status: e.Status,
		Article: e.Article, Number: e.Number, Text: e.Text,
		Facts: factsToJSON(e.Facts), Evidence: evidenceToJSON(e.Evidence), Version: above1(e.Version),
	}
}

// Relationship writes one relationship.
func (j *JSON) Relationship(e Edge) error {
	j.to(2)
	return j.item(relationshipToJSON(e.Relationship))
}

func relationshipToJSON(r kg.Relationship) jsonRelationship {
	return jsonRelationship{
		ID: r.ID, Type: r.Type, From: r.From, To: r.To, Start: r.Start.String(), End: r.End.String(),
		Description: r.Description, Confidence: r.Confidence, ClaimedBy: r.ClaimedBy,
		Facts: factsToJSON(r.Facts), Evidence: evidenceToJSON(r.Evidence), Version: above1(r.Version),
	}
}

// Close ends the document.
func (j *JSON) Close() error {
	j.to(2)
	if j.haveSrcs {
		j.to(3)
	}
	if j.err != nil {
		return j.err
	}
	j.w.WriteString("\n]}\n")
	return j.w.Flush()
}

func factsToJSON(fs []kg.Fact) []jsonFact {
	var out []jsonFact
	for _, f := range fs {
		out = append(out, jsonFact{f.Name, f.Value, f.Number, f.Unit, f.Date.String(), jsonFactEvidence(evidenceToJSON(f.Evidence))})
	}
	return out
}

func evidenceToJSON(es []kg.Evidence) []jsonEvidence {
	out := make([]jsonEvidence, len(es))
	for i, e := range es {
		out[i] = jsonEvidence(e)
	}
	return out
}

// ReadJSON reads a document of the JSON format into a dataset, refusing
// another format or version and fields it does not know (a misspelt field
// would otherwise be dropped in silence). It checks dates; the rest is
// kg.Dataset.Validate's job, once the caller has the sources.
func ReadJSON(r io.Reader) (*kg.Dataset, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var doc jsonDocument
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("read JSON: %w", err)
	}
	if doc.Format != FormatName || doc.Version < 1 || doc.Version > FormatVersion {
		return nil, fmt.Errorf("read JSON: format %q version %d, want %q version 1 to %d", doc.Format, doc.Version, FormatName, FormatVersion)
	}
	ds := &kg.Dataset{}
	rd := &reader{}
	for _, e := range doc.Entities {
		ds.Entities = append(ds.Entities, rd.entity(e))
	}
	for _, r := range doc.Relationships {
		ds.Relationships = append(ds.Relationships, rd.relationship(r))
	}
	date := rd.date
	for _, s := range doc.Sources {
		if ds.Sources == nil {
			ds.Sources, ds.SourceInfo = kg.Sources{}, map[string]kg.Source{}
		}
		ds.Sources[s.ID] = s.Paragraphs
		ds.SourceInfo[s.ID] = kg.Source{ID: s.ID, Title: s.Title, Author: s.Author, Publisher: s.Publisher,
			Date: date(fmt.Sprintf("source %q date", s.ID), s.Date), URL: s.URL, Reliability: s.Reliability, Version: s.Version, Paragraphs: s.Paragraphs}
	}
	if len(doc.Changes)+len(doc.Versions) > 0 {
		h, err := rd.history(doc.Changes, doc.Versions)
		if err != nil {
			return nil, fmt.Errorf("read JSON: %w", err)
		}
		ds.History = h
	}
	if len(rd.errs) > 0 {
		return nil, fmt.Errorf("read JSON: %d bad dates, first: %w", len(rd.errs), rd.errs[0])
	}
	return ds, nil
}

// reader turns a document's records into kg values, collecting bad dates.
type reader struct{ errs []error }

func (rd *reader) date(what, s string) kg.Date {
	if s == "" {
		return kg.Date{}
	}
	d, err := kg.ParseDate(s)
	if err != nil {
		rd.errs = append(rd.errs, fmt.Errorf("%s: %w", what, err))
	}
	return d
}

func evidenceFromJSON(in []jsonEvidence) []kg.Evidence {
	var out []kg.Evidence
	for _, e := range in {
		out = append(out, kg.Evidence(e))
	}
	return out
}

func (rd *reader) facts(what string, in []jsonFact) []kg.Fact {
	var out []kg.Fact
	for _, f := range in {
		out = append(out, kg.Fact{Name: f.Name, Value: f.Value, Number: f.Number, Unit: f.Unit,
			Date: rd.date(what+" fact "+f.Name, f.Date), Evidence: evidenceFromJSON(f.Evidence)})
	}
	return out
}

func (rd *reader) entity(e jsonEntity) kg.Entity {
	what := fmt.Sprintf("entity %q", e.ID)
	return kg.Entity{
		ID: e.ID, Kind: e.Kind, Name: e.Name, Aliases: e.Aliases, Description: e.Description,
		Start: rd.date(what+" start", e.Start), End: rd.date(what+" end", e.End),
		Title: e.Title, Status: e.Status, Article: e.Article, Number: e.Number, Text: e.Text,
		Facts: rd.facts(what, e.Facts), Evidence: evidenceFromJSON(e.Evidence), Version: e.Version,
	}
}

func (rd *reader) relationship(r jsonRelationship) kg.Relationship {
	what := fmt.Sprintf("relationship %q", r.ID)
	return kg.Relationship{
		ID: r.ID, Type: r.Type, From: r.From, To: r.To,
		Start: rd.date(what+" start", r.Start), End: rd.date(what+" end", r.End),
		Description: r.Description, Confidence: r.Confidence, ClaimedBy: r.ClaimedBy,
		Facts: rd.facts(what, r.Facts), Evidence: evidenceFromJSON(r.Evidence), Version: r.Version,
	}
}
