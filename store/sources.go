package store

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/kg"
)

// Sources as data: a (:Source) node holds a document's paragraphs (a list,
// in order, from ¶1) and what is known of it. Its REPORT entity has the
// same id; evidence names that id, and its quote is checked against the
// paragraphs here.

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// citation is a paragraph of a source that evidence cites.
type citation struct {
	source string
	n      int
}

// cited is what citedParagraphs read of a source: how many paragraphs it
// has, and the text of those cited.
type cited struct {
	count int
	text  map[int]string
}

// citedParagraphs reads, of each source cited, its number of paragraphs
// and the paragraphs cited, not its whole text: a write's evidence checks
// one paragraph of a source that may be a long report. Sources that do not
// exist are absent from the answer.
func (s *Store) citedParagraphs(ctx context.Context, tx neo4j.ManagedTransaction, op string, cs []citation) (map[string]cited, error) {
	rows := make([]any, len(cs))
	for i, c := range cs {
		rows[i] = map[string]any{"source": c.source, "n": c.n}
	}
	recs, err := s.query(ctx, tx, op, `UNWIND $cites AS c
		MATCH (s:Source {id: c.source})
		WITH c, s, size(s.paragraphs) AS count
		RETURN c.source, c.n, count, CASE WHEN 1 <= c.n <= count THEN s.paragraphs[c.n - 1] END`, map[string]any{"cites": rows})
	out := map[string]cited{}
	for _, rec := range recs {
		id := str(rec.Values[0])
		c, ok := out[id]
		if !ok {
			c = cited{count: int(num(rec.Values[2])), text: map[int]string{}}
			out[id] = c
		}
		c.text[int(num(rec.Values[1]))] = str(rec.Values[3])
	}
	return out, err
}

// sourceRows are the (:Source) rows of a dataset's texts: the REPORT
// entities that have one.
func sourceRows(ds *kg.Dataset) []any {
	var rows []any
	for _, e := range ds.Entities {
		paras, ok := ds.Sources[e.ID]
		if !ok || e.Kind != kg.Report {
			continue
		}
		row := map[string]any{"id": e.ID, "title": e.Name, "paragraphs": paras, "reliability": string(kg.ReliabilityUnknown)}
		if info, ok := ds.SourceInfo[e.ID]; ok {
			row["title"], row["author"], row["publisher"], row["url"] = info.Title, info.Author, info.Publisher, info.URL
			if info.Reliability != "" {
				row["reliability"] = string(info.Reliability)
			}
			if !info.Date.IsZero() {
				row["date"] = info.Date.String()
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// mergeSources writes a dataset's sources; their paragraphs are the text.
const mergeSources = `UNWIND $rows AS row MERGE (s:Source {id: row.id})
	ON CREATE SET s.version = 1, s.reliability = row.reliability, s.title = row.title,
		s.author = row.author, s.publisher = row.publisher, s.url = row.url, s.date = row.date
	SET s.paragraphs = row.paragraphs`

// Source returns a source by id.
func (s *Store) Source(ctx context.Context, id string) (kg.Source, bool, error) {
	var out kg.Source
	var found bool
	err := s.read(ctx, "store.Source", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.Source", `MATCH (s:Source {id: $id}) RETURN s{.*}`, map[string]any{"id": id})
		if err != nil || len(recs) == 0 {
			return err
		}
		found = true
		out = sourceFrom(recs[0].Values[0].(map[string]any))
		return nil
	})
	return out, found, err
}

// SourcesByID returns the sources with the given slugs, in one query; slugs
// no source has are absent.
func (s *Store) SourcesByID(ctx context.Context, ids []string) (map[string]kg.Source, error) {
	out := make(map[string]kg.Source, len(ids))
	err := s.read(ctx, "store.SourcesByID", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.SourcesByID", `MATCH (s:Source) WHERE s.id IN $ids RETURN s{.*}`, map[string]any{"ids": uniq(ids)})
		for _, rec := range recs {
			src := sourceFrom(rec.Values[0].(map[string]any))
			out[src.ID] = src
		}
		return err
	})
	return out, err
}

// Sources lists every source, by id.
func (s *Store) Sources(ctx context.Context) ([]kg.Source, error) {
	var out []kg.Source
	err := s.read(ctx, "store.Sources", func(tx neo4j.ManagedTransaction) error {
		out = out[:0]
		recs, err := s.query(ctx, tx, "store.Sources", `MATCH (s:Source) RETURN s{.*} ORDER BY s.id`, nil)
		for _, rec := range recs {
			out = append(out, sourceFrom(rec.Values[0].(map[string]any)))
		}
		return err
	})
	return out, err
}

func sourceFrom(p map[string]any) kg.Source {
	return kg.Source{
		ID: str(p["id"]), Title: str(p["title"]), Author: str(p["author"]), Publisher: str(p["publisher"]),
		Date: date(p["date"]), URL: str(p["url"]), Reliability: kg.Reliability(str(p["reliability"])),
		Paragraphs: strs(p["paragraphs"]), Version: versionOf(p),
	}
}

// AddSource adds a source and its REPORT entity, whose evidence is the
// source's own first paragraph.
func (s *Store) AddSource(ctx context.Context, in kg.SourceInput, w kg.Write) (kg.Written, error) {
	const op = "store.AddSource"
	return s.curate(ctx, op, kg.RoleCurator, w, func(tx neo4j.ManagedTransaction, p *pending, out *kg.Written) error {
		pb := &problems{}
		if !kg.ValidID(in.ID) || kg.IsChangeID(in.ID) {
			pb.add(path("input", "id"), kg.CodeBadValue, "id %q is not a slug (lowercase letters, digits and single dashes) other than a change's (change-<number>)", in.ID)
		}
		title := strings.TrimSpace(in.Title)
		if title == "" {
			pb.add(path("input", "title"), kg.CodeRequired, "a source needs a title")
		}
		paras := kg.Paragraphs(in.Text)
		if len(paras) == 0 {
			pb.add(path("input", "text"), kg.CodeRequired, "a source needs its text: evidence quotes its paragraphs (its non-empty lines)")
		}
		d := dateField(pb, path("input", "date"), &in.Date, kg.Date{})
		rel := in.Reliability
		if rel == "" {
			rel = kg.ReliabilityUnknown
		}
		known := false
		for _, r := range kg.Reliabilities {
			known = known || r == rel
		}
		if !known {
			pb.add(path("input", "reliability"), kg.CodeBadValue, "unknown reliability %q", in.Reliability)
		}
		if in.URL != "" && !validURL(in.URL) {
			pb.add(path("input", "url"), kg.CodeBadValue, "url %q is not an http(s) address", in.URL)
		}
		if err := pb.err(op, 0); err != nil {
			return err
		}
		cur, err := s.findTarget(ctx, tx, op, in.ID, "")
		if err != nil {
			return err
		}
		// Whether the source exists, without reading its text.
		have, err := s.citedParagraphs(ctx, tx, op, []citation{{source: in.ID}})
		if err != nil {
			return err
		}
		if _, exists := have[in.ID]; cur.version > 0 || exists {
			pb.add(path("input", "id"), kg.CodeExists, "%s already exists", in.ID)
			return pb.err(op, cur.version)
		}
		props := map[string]any{"id": in.ID, "title": title, "author": in.Author, "publisher": in.Publisher, "url": in.URL,
			"reliability": string(rel), "paragraphs": paras, "version": 1, "recordedFrom": p.At, "changeId": p.ID}
		setDate(props, "date", d)
		if _, err := s.query(ctx, tx, op, `CREATE (s:Source) SET s = $props`, map[string]any{"props": props}); err != nil {
			return err
		}
		p.add(kg.ChangeItem{Op: kg.OpCreate, Kind: kg.TargetSource, Target: in.ID, Version: 1, Entities: []string{in.ID}})
		by := strings.TrimSpace(strings.Join(nonEmpty(in.Author, in.Publisher), ", "))
		desc := title
		if by != "" {
			desc += " — " + by
		}
		if !d.IsZero() {
			desc += " (" + d.String() + ")"
		}
		e := kg.Entity{ID: in.ID, Kind: kg.Report, Name: title, Description: desc, Start: d,
			Evidence: []kg.Evidence{{Source: in.ID, Paragraph: 1, Quote: prefix(paras[0], 120)}}}
		v, err := s.putEntity(ctx, tx, op, p, current{}, &e, kg.OpCreate, nil)
		*out = kg.Written{Target: in.ID, Version: v}
		return err
	})
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// prefix is at most n bytes of s, cut at a rune boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
