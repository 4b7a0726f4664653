package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"cyberkg/kg"
)

// The CSV tables have one row per entity or relationship and a header row,
// ready for pandas.read_csv. Lists (aliases, claimed_by) are joined with
// "|"; dates are as written and, in the *_first columns, as their first day
// (YYYY-MM-DD, which parse_dates reads); evidence is flattened to its first
// quote, that quote's paragraph number and source, and how many more pieces
// of evidence the JSON export holds.

// EntityColumns is the header of entities.csv.
var EntityColumns = []string{"id", "kind", "name", "aliases", "description",
	"start", "start_first", "end", "end_first", "title", "status", "article", "number",
	"facts", "evidence_quote", "evidence_paragraph", "evidence_source", "evidence_more"}

// RelationshipColumns is the header of relationships.csv.
var RelationshipColumns = []string{"id", "type", "causal", "from", "from_kind", "from_name", "to", "to_kind", "to_name",
	"start", "start_first", "end", "end_first", "confidence", "claimed_by", "description",
	"facts", "evidence_quote", "evidence_paragraph", "evidence_source", "evidence_more"}

type csvTable struct {
	w      *csv.Writer
	header []string
	rows   int
}

func (t *csvTable) row(fields []string) error {
	if t.header != nil {
		if err := t.w.Write(t.header); err != nil {
			return err
		}
		t.header = nil
	}
	t.rows++
	// Flush now and then so that a large table reaches the client as it
	// is made rather than in one piece at the end.
	if t.rows%500 == 0 {
		t.w.Flush()
	}
	if fields == nil {
		return nil
	}
	return t.w.Write(fields)
}

func (t *csvTable) Close() error {
	if err := t.row(nil); err != nil { // an empty table still has its header
		return err
	}
	t.w.Flush()
	return t.w.Error()
}

func evidenceColumns(ev []kg.Evidence) []string {
	first, more := firstEvidence(ev)
	para := ""
	if first.Paragraph > 0 {
		para = strconv.Itoa(first.Paragraph)
	}
	return []string{first.Quote, para, first.Source, strconv.Itoa(more)}
}

func intOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// EntitiesCSV writes entities.csv; it ignores relationships.
type EntitiesCSV struct{ csvTable }

// NewEntitiesCSV starts entities.csv on w.
func NewEntitiesCSV(w io.Writer) *EntitiesCSV {
	return &EntitiesCSV{csvTable{w: csv.NewWriter(w), header: EntityColumns}}
}

// Entity writes one row.
func (t *EntitiesCSV) Entity(n Node) error {
	e := n.Entity
	return t.row(append([]string{e.ID, string(e.Kind), e.Name, strings.Join(e.Aliases, "|"), e.Description,
		e.Start.String(), firstDay(e.Start), e.End.String(), firstDay(e.End), e.Title, string(e.Status),
		intOrEmpty(e.Article), intOrEmpty(e.Number), strconv.Itoa(len(e.Facts))}, evidenceColumns(e.Evidence)...))
}

// Relationship is not part of this table.
func (t *EntitiesCSV) Relationship(Edge) error { return nil }

// RelationshipsCSV writes relationships.csv; it ignores entities.
type RelationshipsCSV struct{ csvTable }

// NewRelationshipsCSV starts relationships.csv on w.
func NewRelationshipsCSV(w io.Writer) *RelationshipsCSV {
	return &RelationshipsCSV{csvTable{w: csv.NewWriter(w), header: RelationshipColumns}}
}

// Entity is not part of this table.
func (t *RelationshipsCSV) Entity(Node) error { return nil }

// Relationship writes one row.
func (t *RelationshipsCSV) Relationship(e Edge) error {
	r := e.Relationship
	info, _ := kg.LookupRelType(string(r.Type))
	return t.row(append([]string{r.ID, string(r.Type), strconv.FormatBool(info.Causal),
		r.From, string(e.FromRef.Kind), e.FromRef.Name, r.To, string(e.ToRef.Kind), e.ToRef.Name,
		r.Start.String(), firstDay(r.Start), r.End.String(), firstDay(r.End),
		string(r.Confidence), strings.Join(r.ClaimedBy, "|"), r.Description,
		strconv.Itoa(len(r.Facts))}, evidenceColumns(r.Evidence)...))
}
