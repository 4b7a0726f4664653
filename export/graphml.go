package export

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cyberkg/kg"
)

// GraphML: a directed graph whose nodes and edges carry typed attributes
// declared as <key>s, which networkx.read_graphml, Gephi and Cytoscape turn
// into typed columns. "label" is the entity's name, which Gephi shows on
// nodes; "type" is the relationship type, which Cytoscape and Gephi can
// colour edges by. Edge ids are the relationship ids.

type graphmlKey struct {
	id, domain, typ string
}

var graphmlKeys = []graphmlKey{
	{"label", "node", "string"}, {"kind", "node", "string"}, {"aliases", "node", "string"},
	{"description", "node", "string"}, {"start", "node", "string"}, {"start_first", "node", "string"},
	{"end", "node", "string"}, {"end_first", "node", "string"}, {"title", "node", "string"},
	{"status", "node", "string"}, {"article", "node", "int"}, {"number", "node", "int"},
	{"evidence_count", "node", "int"},
	{"type", "edge", "string"}, {"causal", "edge", "boolean"}, {"confidence", "edge", "string"},
	{"confidence_score", "edge", "int"}, {"claimed_by", "edge", "string"}, {"description", "edge", "string"},
	{"start", "edge", "string"}, {"start_first", "edge", "string"}, {"end", "edge", "string"},
	{"end_first", "edge", "string"}, {"evidence_count", "edge", "int"},
}

// GraphML writes the GraphML export.
type GraphML struct {
	w       *bufio.Writer
	started bool
}

// NewGraphML starts a GraphML document on w.
func NewGraphML(w io.Writer) *GraphML { return &GraphML{w: bufio.NewWriter(w)} }

func (g *GraphML) start() {
	if g.started {
		return
	}
	g.started = true
	g.w.WriteString(xml.Header)
	g.w.WriteString(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	for _, k := range graphmlKeys {
		// Node and edge keys may share an attribute name but not an id.
		fmt.Fprintf(g.w, `<key id="%s_%s" for="%s" attr.name="%s" attr.type="%s"/>`+"\n", k.domain, k.id, k.domain, k.id, k.typ)
	}
	g.w.WriteString(`<graph id="cyberkg" edgedefault="directed">` + "\n")
}

func (g *GraphML) data(domain, key, value string) {
	if value == "" {
		return
	}
	fmt.Fprintf(g.w, `<data key="%s_%s">`, domain, key)
	xml.EscapeText(g.w, []byte(value))
	g.w.WriteString("</data>")
}

func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Entity writes one node.
func (g *GraphML) Entity(n Node) error {
	g.start()
	e := n.Entity
	fmt.Fprintf(g.w, `<node id="%s">`, attr(e.ID))
	for _, kv := range [][2]string{
		{"label", e.Name}, {"kind", string(e.Kind)}, {"aliases", strings.Join(e.Aliases, "|")},
		{"description", e.Description}, {"start", e.Start.String()}, {"start_first", firstDay(e.Start)},
		{"end", e.End.String()}, {"end_first", firstDay(e.End)}, {"title", e.Title}, {"status", string(e.Status)},
		{"article", intOrEmpty(e.Article)}, {"number", intOrEmpty(e.Number)},
		{"evidence_count", strconv.Itoa(len(e.Evidence))},
	} {
		g.data("node", kv[0], kv[1])
	}
	_, err := g.w.WriteString("</node>\n")
	return err
}

// Relationship writes one edge.
func (g *GraphML) Relationship(e Edge) error {
	g.start()
	r := e.Relationship
	info, _ := kg.LookupRelType(string(r.Type))
	fmt.Fprintf(g.w, `<edge id="%s" source="%s" target="%s">`, attr(r.ID), attr(r.From), attr(r.To))
	for _, kv := range [][2]string{
		{"type", string(r.Type)}, {"causal", strconv.FormatBool(info.Causal)},
		{"confidence", string(r.Confidence)}, {"confidence_score", strconv.Itoa(STIXConfidence(r.Confidence))},
		{"claimed_by", strings.Join(r.ClaimedBy, "|")}, {"description", r.Description},
		{"start", r.Start.String()}, {"start_first", firstDay(r.Start)},
		{"end", r.End.String()}, {"end_first", firstDay(r.End)},
		{"evidence_count", strconv.Itoa(len(r.Evidence))},
	} {
		g.data("edge", kv[0], kv[1])
	}
	_, err := g.w.WriteString("</edge>\n")
	return err
}

// Close ends the document.
func (g *GraphML) Close() error {
	g.start()
	g.w.WriteString("</graph>\n</graphml>\n")
	return g.w.Flush()
}
