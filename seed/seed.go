// Package seed reads the knowledge graph from reviewed YAML files and the
// source texts their evidence quotes, and validates all of it before anything
// is written. See data/README.md for the file format.
package seed

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"cyberkg/kg"
)

// Files holds the project's own seed: data/*.yaml and the sources they cite.
//
//go:embed data/*.yaml sources/*.txt
var Files embed.FS

// Error is one problem found in a seed file, with where it is.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Errors is every problem found; Parse reports them all at once.
type Errors []Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

type position struct {
	file string
	line int
}

// Parse reads every data/*.yaml file of fsys, with the source texts named by
// REPORT entities' text fields, and returns the validated dataset. Any
// problem, in any file, fails the whole parse with Errors.
func Parse(fsys fs.FS) (*kg.Dataset, error) {
	names, err := fs.Glob(fsys, "data/*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("seed: no data/*.yaml files")
	}
	sort.Strings(names)

	p := &parser{fsys: fsys}
	for _, name := range names {
		p.file(name)
	}
	p.resolveSources()
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	for _, prob := range p.ds.Validate() {
		pos := position{"seed", 0}
		switch {
		case prob.Entity >= 0:
			pos = p.entPos[prob.Entity]
		case prob.Relationship >= 0:
			pos = p.relPos[prob.Relationship]
		}
		p.errs = append(p.errs, Error{pos.file, pos.line, prob.Msg})
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return &p.ds, nil
}

type parser struct {
	fsys   fs.FS
	ds     kg.Dataset
	entPos []position
	relPos []position
	errs   Errors
}

func (p *parser) fail(file string, n *yaml.Node, format string, a ...any) {
	p.errs = append(p.errs, Error{file, n.Line, fmt.Sprintf(format, a...)})
}

func (p *parser) file(name string) {
	b, err := fs.ReadFile(p.fsys, name)
	if err != nil {
		p.errs = append(p.errs, Error{name, 0, err.Error()})
		return
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		p.errs = append(p.errs, Error{name, yamlLine(err), err.Error()})
		return
	}
	if len(doc.Content) == 0 {
		return
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.fail(name, root, "want a mapping with entities: and relationships:")
		return
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if val.Kind != yaml.SequenceNode {
			p.fail(name, val, "%s: want a list", key.Value)
			continue
		}
		switch key.Value {
		case "entities":
			for _, item := range val.Content {
				p.entity(name, item)
			}
		case "relationships":
			for _, item := range val.Content {
				p.relationship(name, item)
			}
		default:
			p.fail(name, key, "unknown top-level key %q (want entities or relationships)", key.Value)
		}
	}
}

type rawEvidence struct {
	Source string `yaml:"source"`
	P      int    `yaml:"p"`
	Quote  string `yaml:"quote"`
}

type rawFact struct {
	Name     string          `yaml:"name"`
	Value    string          `yaml:"value"`
	Number   *float64        `yaml:"number"`
	Unit     string          `yaml:"unit"`
	Date     string          `yaml:"date"`
	Evidence rawFactEvidence `yaml:"evidence"`
}

// rawFactEvidence is a fact's evidence: one mapping, as most facts have,
// or a list of them.
type rawFactEvidence []rawEvidence

func (r *rawFactEvidence) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var one rawEvidence
		if err := n.Decode(&one); err != nil {
			return err
		}
		*r = rawFactEvidence{one}
		return nil
	}
	return n.Decode((*[]rawEvidence)(r))
}

type rawEntity struct {
	ID          string        `yaml:"id"`
	Kind        string        `yaml:"kind"`
	Name        string        `yaml:"name"`
	Aliases     []string      `yaml:"aliases"`
	Description string        `yaml:"description"`
	Start       string        `yaml:"start"`
	End         string        `yaml:"end"`
	Title       string        `yaml:"title"`
	Status      string        `yaml:"status"`
	Article     int           `yaml:"article"`
	Number      int           `yaml:"number"`
	Text        string        `yaml:"text"`
	Evidence    []rawEvidence `yaml:"evidence"`
	Facts       []rawFact     `yaml:"facts"`
}

type rawRelationship struct {
	ID          string        `yaml:"id"`
	Type        string        `yaml:"type"`
	From        string        `yaml:"from"`
	To          string        `yaml:"to"`
	Start       string        `yaml:"start"`
	End         string        `yaml:"end"`
	Description string        `yaml:"description"`
	Confidence  string        `yaml:"confidence"`
	ClaimedBy   []string      `yaml:"claimed_by"`
	Evidence    []rawEvidence `yaml:"evidence"`
	Facts       []rawFact     `yaml:"facts"`
}

var (
	evidenceKeys     = keys("source", "p", "quote")
	factKeys         = keys("name", "value", "number", "unit", "date", "evidence")
	entityKeys       = keys("id", "kind", "name", "aliases", "description", "start", "end", "title", "status", "article", "number", "text", "evidence", "facts")
	relationshipKeys = keys("id", "type", "from", "to", "start", "end", "description", "confidence", "claimed_by", "evidence", "facts")
)

func (p *parser) entity(file string, n *yaml.Node) {
	if !p.checkItem(file, n, entityKeys) {
		return
	}
	var r rawEntity
	if err := n.Decode(&r); err != nil {
		p.fail(file, n, "entity: %v", err)
		return
	}
	e := kg.Entity{
		ID: r.ID, Kind: kg.Kind(r.Kind), Name: r.Name, Aliases: r.Aliases, Description: r.Description,
		Title: r.Title, Status: kg.LawStatus(r.Status), Article: r.Article, Number: r.Number, Text: r.Text,
		Start: p.date(file, n, "start", r.Start), End: p.date(file, n, "end", r.End),
	}
	p.ds.Entities = append(p.ds.Entities, e)
	p.entPos = append(p.entPos, position{file, n.Line})
	last := &p.ds.Entities[len(p.ds.Entities)-1]
	last.Evidence = p.evidence(r.Evidence)
	last.Facts = p.facts(file, n, r.Facts)
}

func (p *parser) relationship(file string, n *yaml.Node) {
	if !p.checkItem(file, n, relationshipKeys) {
		return
	}
	var r rawRelationship
	if err := n.Decode(&r); err != nil {
		p.fail(file, n, "relationship: %v", err)
		return
	}
	id := r.ID
	if id == "" {
		id = kg.DefaultRelationshipID(r.From, kg.RelType(r.Type), r.To)
	}
	rel := kg.Relationship{
		ID: id, Type: kg.RelType(r.Type), From: r.From, To: r.To, Description: r.Description,
		Confidence: kg.Confidence(r.Confidence), ClaimedBy: r.ClaimedBy,
		Start: p.date(file, n, "start", r.Start), End: p.date(file, n, "end", r.End),
	}
	p.ds.Relationships = append(p.ds.Relationships, rel)
	p.relPos = append(p.relPos, position{file, n.Line})
	last := &p.ds.Relationships[len(p.ds.Relationships)-1]
	last.Evidence = p.evidence(r.Evidence)
	last.Facts = p.facts(file, n, r.Facts)
}

// checkItem rejects unknown keys at every level of an item, so a typo such
// as "qoute" is an error rather than silently missing evidence.
func (p *parser) checkItem(file string, n *yaml.Node, allowed map[string]bool) bool {
	before := len(p.errs)
	p.checkKeys(file, n, allowed)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, n.Content[i+1]
		switch key {
		case "evidence":
			for _, ev := range val.Content {
				p.checkKeys(file, ev, evidenceKeys)
			}
		case "facts":
			for _, f := range val.Content {
				p.checkKeys(file, f, factKeys)
				if ev := mapValue(f, "evidence"); ev != nil && ev.Kind == yaml.SequenceNode {
					for _, one := range ev.Content {
						p.checkKeys(file, one, evidenceKeys)
					}
				} else if ev != nil {
					p.checkKeys(file, ev, evidenceKeys)
				}
			}
		}
	}
	return len(p.errs) == before
}

func (p *parser) checkKeys(file string, n *yaml.Node, allowed map[string]bool) {
	if n.Kind != yaml.MappingNode {
		p.fail(file, n, "want a mapping")
		return
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; !allowed[k.Value] {
			p.fail(file, k, "unknown key %q", k.Value)
		}
	}
}

func (p *parser) date(file string, n *yaml.Node, field, s string) kg.Date {
	if s == "" {
		return kg.Date{}
	}
	d, err := kg.ParseDate(s)
	if err != nil {
		at := n
		if v := mapValue(n, field); v != nil {
			at = v
		}
		p.fail(file, at, "%s: %v", field, err)
	}
	return d
}

func (p *parser) evidence(raw []rawEvidence) []kg.Evidence {
	out := make([]kg.Evidence, len(raw))
	for i, r := range raw {
		out[i] = kg.Evidence{Source: r.Source, Paragraph: r.P, Quote: r.Quote}
	}
	return out
}

func (p *parser) facts(file string, n *yaml.Node, raw []rawFact) []kg.Fact {
	out := make([]kg.Fact, len(raw))
	for i, r := range raw {
		out[i] = kg.Fact{
			Name: r.Name, Value: r.Value, Number: r.Number, Unit: r.Unit,
			Date:     p.date(file, n, "facts.date", r.Date),
			Evidence: p.evidence(r.Evidence),
		}
	}
	return out
}

// resolveSources reads the text of every REPORT that has one, and gives
// evidence that names no source the one such report, when there is exactly one.
func (p *parser) resolveSources() {
	p.ds.Sources = kg.Sources{}
	var withText []string
	for i, e := range p.ds.Entities {
		if e.Text == "" || e.Kind != kg.Report {
			continue
		}
		b, err := fs.ReadFile(p.fsys, path.Clean(e.Text))
		if err != nil {
			pos := p.entPos[i]
			p.errs = append(p.errs, Error{pos.file, pos.line, fmt.Sprintf("entity %q: text: %v", e.ID, err)})
			continue
		}
		p.ds.Sources[e.ID] = kg.Paragraphs(string(b))
		withText = append(withText, e.ID)
	}
	fill := func(ev *kg.Evidence) {
		if ev.Source == "" && len(withText) == 1 {
			ev.Source = withText[0]
		}
	}
	fillAll := func(ev []kg.Evidence, facts []kg.Fact) {
		for i := range ev {
			fill(&ev[i])
		}
		for i := range facts {
			for j := range facts[i].Evidence {
				fill(&facts[i].Evidence[j])
			}
		}
	}
	for _, e := range p.ds.Entities {
		fillAll(e.Evidence, e.Facts)
	}
	for _, r := range p.ds.Relationships {
		fillAll(r.Evidence, r.Facts)
	}
}

func keys(ks ...string) map[string]bool {
	m := make(map[string]bool, len(ks))
	for _, k := range ks {
		m[k] = true
	}
	return m
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// yamlLine pulls the line out of a yaml.v3 syntax error ("yaml: line 7: …").
func yamlLine(err error) int {
	var line int
	fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &line)
	return line
}
