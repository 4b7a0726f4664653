package kg

import (
	"fmt"
	"strings"
)

// Problem is one reason a dataset cannot be written. Entity or Relationship
// is the index of the offending item (-1 when the problem is elsewhere), so
// that a caller holding file positions can say where it is.
type Problem struct {
	Entity       int
	Relationship int
	Msg          string
}

func (p Problem) Error() string { return p.Msg }

// Sources maps a REPORT id to its paragraphs, so that quotes can be checked.
type Sources map[string][]string

// Paragraphs splits a source text into its paragraphs: its non-empty lines.
func Paragraphs(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, strings.TrimRight(line, "\r"))
		}
	}
	return out
}

// Validate checks a whole dataset before anything is written: closed
// vocabularies, unique ids, references that resolve, evidence on every item,
// and every quote found in its paragraph of ds.Sources.
func (ds *Dataset) Validate() []Problem {
	src := ds.Sources
	var probs []Problem
	ent := func(i int, format string, a ...any) {
		probs = append(probs, Problem{Entity: i, Relationship: -1, Msg: fmt.Sprintf(format, a...)})
	}
	rel := func(i int, format string, a ...any) {
		probs = append(probs, Problem{Entity: -1, Relationship: i, Msg: fmt.Sprintf(format, a...)})
	}

	kinds := make(map[string]Kind, len(ds.Entities))
	for i, e := range ds.Entities {
		switch {
		case !ValidID(e.ID):
			ent(i, "entity id %q is not a slug (lowercase letters, digits and single dashes)", e.ID)
		case IsChangeID(e.ID):
			ent(i, "entity id %q has the form of a change's id (change-<number>): ids must be unique across kinds", e.ID)
		case kinds[e.ID] != "":
			ent(i, "duplicate entity id %q", e.ID)
		default:
			kinds[e.ID] = e.Kind
		}
	}
	for i, e := range ds.Entities {
		if _, ok := ParseKind(string(e.Kind)); !ok {
			ent(i, "entity %q: unknown kind %q", e.ID, e.Kind)
		}
		if strings.TrimSpace(e.Name) == "" {
			ent(i, "entity %q: missing name", e.ID)
		}
		for _, m := range kindFieldProblems(e) {
			ent(i, "entity %q: %s", e.ID, m)
		}
		if !e.Start.IsZero() && !e.End.IsZero() && e.End.Last().Before(e.Start.First()) {
			ent(i, "entity %q: end %s is before start %s", e.ID, e.End, e.Start)
		}
		if len(e.Evidence) == 0 {
			ent(i, "entity %q: missing evidence", e.ID)
		}
		for _, m := range evidenceProblems(e.Evidence, e.Facts, kinds, src) {
			ent(i, "entity %q: %s", e.ID, m)
		}
	}

	relIDs := make(map[string]bool, len(ds.Relationships))
	for i, r := range ds.Relationships {
		switch {
		case relIDs[r.ID]:
			rel(i, "duplicate relationship id %q", r.ID)
		case kinds[r.ID] != "":
			// node(id:) finds any object by its id alone.
			rel(i, "relationship id %q is also an entity's id: ids must be unique across entities and relationships", r.ID)
		case ReservedID(r.ID) != "":
			rel(i, "relationship id %q %s: ids must be unique across kinds", r.ID, ReservedID(r.ID))
		}
		relIDs[r.ID] = true
		if _, ok := LookupRelType(string(r.Type)); !ok {
			rel(i, "relationship %q: unknown type %q", r.ID, r.Type)
		}
		if _, ok := ParseConfidence(string(r.Confidence)); !ok {
			rel(i, "relationship %q: unknown confidence %q", r.ID, r.Confidence)
		}
		for _, end := range []struct{ role, id string }{{"from", r.From}, {"to", r.To}} {
			if kinds[end.id] == "" {
				rel(i, "relationship %q: %s refers to unknown entity %q", r.ID, end.role, end.id)
			}
		}
		for _, c := range r.ClaimedBy {
			if kinds[c] == "" {
				rel(i, "relationship %q: claimedBy refers to unknown entity %q", r.ID, c)
			}
		}
		if !r.Start.IsZero() && !r.End.IsZero() && r.End.Last().Before(r.Start.First()) {
			rel(i, "relationship %q: end %s is before start %s", r.ID, r.End, r.Start)
		}
		if len(r.Evidence) == 0 {
			rel(i, "relationship %q: missing evidence", r.ID)
		}
		for _, m := range evidenceProblems(r.Evidence, r.Facts, kinds, src) {
			rel(i, "relationship %q: %s", r.ID, m)
		}
	}
	return probs
}

func kindFieldProblems(e Entity) []string {
	var out []string
	only := func(field string, set bool, k Kind) {
		if set && e.Kind != k {
			out = append(out, fmt.Sprintf("%s is only for %s entities", field, k))
		}
	}
	only("title", e.Title != "", Person)
	only("status", e.Status != "", Law)
	only("article", e.Article != 0, Law)
	only("number", e.Number != 0, Recommendation)
	only("text", e.Text != "", Report)
	if e.Status != "" {
		ok := false
		for _, s := range LawStatuses {
			ok = ok || s == e.Status
		}
		if !ok {
			out = append(out, fmt.Sprintf("unknown status %q", e.Status))
		}
	}
	return out
}

func evidenceProblems(ev []Evidence, facts []Fact, kinds map[string]Kind, src Sources) []string {
	all := append([]Evidence(nil), ev...)
	for _, f := range facts {
		all = append(all, f.Evidence...)
	}
	var out []string
	names := map[string]bool{}
	for _, f := range facts {
		switch {
		case f.Name == "" || f.Value == "":
			out = append(out, "fact needs a name and a value")
		case strings.Contains(f.Name, "#"):
			out = append(out, fmt.Sprintf("fact name %q has a #, which separates a fact's id from its owner's", f.Name))
		case names[f.Name]:
			// A fact's id is its owner's and its name (FactID).
			out = append(out, fmt.Sprintf("duplicate fact name %q", f.Name))
		}
		names[f.Name] = true
		if len(f.Evidence) == 0 {
			out = append(out, fmt.Sprintf("fact %q: missing evidence", f.Name))
		}
	}
	for _, e := range all {
		switch {
		case kinds[e.Source] == "":
			out = append(out, fmt.Sprintf("evidence source %q is not an entity", e.Source))
		case kinds[e.Source] != Report:
			out = append(out, fmt.Sprintf("evidence source %q is not a REPORT", e.Source))
		case src[e.Source] == nil:
			out = append(out, fmt.Sprintf("evidence source %q has no text to check quotes against", e.Source))
		case e.Paragraph < 1 || e.Paragraph > len(src[e.Source]):
			out = append(out, fmt.Sprintf("evidence %s: %s has paragraphs 1 to %d", e.Locator(), e.Source, len(src[e.Source])))
		case strings.TrimSpace(e.Quote) == "":
			out = append(out, fmt.Sprintf("evidence %s: empty quote", e.Locator()))
		case !strings.Contains(src[e.Source][e.Paragraph-1], e.Quote):
			out = append(out, fmt.Sprintf("evidence %s: quote %q is not in that paragraph", e.Locator(), e.Quote))
		}
	}
	return out
}
