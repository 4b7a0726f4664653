package seed_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/seed"
	"cyberkg/store"
)

const source = "Central Challenge\n\nAcme Corp was fined $5 million by the Regulator in 2015.\n"

const sourceEntity = `entities:
  - id: brief
    kind: REPORT
    name: The brief
    text: sources/brief.txt
    evidence: [{p: 1, quote: "Central Challenge"}]
`

// fixture is a seed with one data file; line numbers in errors count from
// the top of that file, which starts with sourceEntity (6 lines).
func fixture(data string) fstest.MapFS {
	return fstest.MapFS{
		"sources/brief.txt": {Data: []byte(source)},
		"data/test.yaml":    {Data: []byte(sourceEntity + data)},
	}
}

const acme = `  - id: acme
    kind: FIRM
    name: Acme Corp
    evidence: [{p: 2, quote: "Acme Corp was fined"}]
  - id: regulator
    kind: AGENCY
    name: The Regulator
    evidence: [{p: 2, quote: "the Regulator"}]
`

func TestParseAcceptsAValidSeed(t *testing.T) {
	ds, err := seed.Parse(fixture(acme + `relationships:
  - type: FINED
    from: regulator
    to: acme
    start: "2015"
    confidence: CONFIRMED
    evidence: [{p: 2, quote: "fined $5 million by the Regulator in 2015"}]
    facts:
      - {name: fine, value: "$5 million", number: 5000000, unit: USD, date: "2015", evidence: {p: 2, quote: "$5 million"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Entities) != 3 || len(ds.Relationships) != 1 {
		t.Fatalf("got %d entities, %d relationships", len(ds.Entities), len(ds.Relationships))
	}
	r := ds.Relationships[0]
	if r.ID != "regulator--fined--acme" || r.Start.String() != "2015" || r.Evidence[0].Source != "brief" {
		t.Errorf("relationship = %+v", r)
	}
	if f := r.Facts[0]; *f.Number != 5e6 || len(f.Evidence) != 1 || f.Evidence[0].Source != "brief" {
		t.Errorf("fact = %+v", f)
	}
}

// Each class of bad input is refused with an error that names the file and
// the line of the offending item, and Parse returns no dataset at all.
func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"unknown kind", acme + `  - {id: x, kind: COMPANY, name: X, evidence: [{p: 2, quote: "Acme"}]}
`, `data/test.yaml:15: entity "x": unknown kind "COMPANY"`},
		{"unknown type", acme + `relationships:
  - {type: OWNED, from: acme, to: regulator, confidence: CONFIRMED, evidence: [{p: 2, quote: "Acme"}]}
`, `data/test.yaml:16: relationship "acme--owned--regulator": unknown type "OWNED"`},
		{"dangling reference", acme + `relationships:
  - {type: FINED, from: regulator, to: acme-inc, confidence: CONFIRMED, evidence: [{p: 2, quote: "fined"}]}
`, `data/test.yaml:16: relationship "regulator--fined--acme-inc": to refers to unknown entity "acme-inc"`},
		{"duplicate id", acme + `  - {id: acme, kind: FIRM, name: Acme again, evidence: [{p: 2, quote: "Acme"}]}
`, `data/test.yaml:15: duplicate entity id "acme"`},
		{"bad date", acme + `  - {id: x, kind: EVENT, name: X, start: "2015-13", evidence: [{p: 2, quote: "2015"}]}
`, `data/test.yaml:15: start: date "2015-13": month 13 out of range`},
		{"missing evidence", acme + `  - {id: x, kind: EVENT, name: X}
`, `data/test.yaml:15: entity "x": missing evidence`},
		{"quote not in its paragraph", acme + `  - {id: x, kind: EVENT, name: X, evidence: [{p: 1, quote: "Acme Corp"}]}
`, `data/test.yaml:15: entity "x": evidence ¶1: quote "Acme Corp" is not in that paragraph`},
		{"paragraph out of range", acme + `  - {id: x, kind: EVENT, name: X, evidence: [{p: 3, quote: "Acme"}]}
`, `data/test.yaml:15: entity "x": evidence ¶3: brief has paragraphs 1 to 2`},
		{"unknown key", acme + `  - {id: x, kind: EVENT, name: X, evidence: [{p: 2, qoute: "Acme"}]}
`, `data/test.yaml:15: unknown key "qoute"`},
		{"unknown confidence", acme + `relationships:
  - {type: FINED, from: regulator, to: acme, confidence: LIKELY, evidence: [{p: 2, quote: "fined"}]}
`, `data/test.yaml:16: relationship "regulator--fined--acme": unknown confidence "LIKELY"`},
		{"field of another kind", acme + `  - {id: x, kind: FIRM, name: X, title: CEO, evidence: [{p: 2, quote: "Acme"}]}
`, `data/test.yaml:15: entity "x": title is only for PERSON entities`},
		{"not YAML", "  - {id: x\n", `data/test.yaml:`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := seed.Parse(fixture(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.want)
			}
			var list seed.Errors
			if !errors.As(err, &list) {
				t.Errorf("err is %T, want seed.Errors", err)
			}
			if ds != nil {
				t.Errorf("Parse returned a dataset along with its error")
			}
		})
	}
}

// The project's own seed is valid, and every quote really is in the
// paragraph it cites, checked here against the source file independently of
// the validator.
func TestProjectSeedQuotesAreInTheirParagraphs(t *testing.T) {
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("sources/us-china-cybersecurity-brief.txt")
	if err != nil {
		t.Fatal(err)
	}
	var paras []string
	for _, line := range strings.Split(string(text), "\n") {
		if strings.TrimSpace(line) != "" {
			paras = append(paras, line)
		}
	}
	check := func(owner string, e kg.Evidence) {
		if e.Source != "us-china-cybersecurity-brief" {
			t.Errorf("%s: evidence source %q, want the brief", owner, e.Source)
			return
		}
		if e.Paragraph < 1 || e.Paragraph > len(paras) || !strings.Contains(paras[e.Paragraph-1], e.Quote) {
			t.Errorf("%s: quote %q is not in ¶%d", owner, e.Quote, e.Paragraph)
		}
	}
	n := 0
	for _, e := range ds.Entities {
		for _, ev := range e.Evidence {
			check(e.ID, ev)
			n++
		}
		for _, f := range e.Facts {
			for _, ev := range f.Evidence {
				check(e.ID+" fact "+f.Name, ev)
				n++
			}
		}
	}
	for _, r := range ds.Relationships {
		for _, ev := range r.Evidence {
			check(r.ID, ev)
			n++
		}
		for _, f := range r.Facts {
			for _, ev := range f.Evidence {
				check(r.ID+" fact "+f.Name, ev)
				n++
			}
		}
	}
	if n < len(ds.Entities)+len(ds.Relationships) {
		t.Errorf("only %d quotes for %d items", n, len(ds.Entities)+len(ds.Relationships))
	}
}

// Loading the seed twice leaves the same graph as loading it once.
func TestLoadIsIdempotent(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	before, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before.Entities != len(ds.Entities) || before.Relationships != len(ds.Relationships) {
		t.Fatalf("after one load: %d entities, %d relationships; seed has %d and %d",
			before.Entities, before.Relationships, len(ds.Entities), len(ds.Relationships))
	}
	if err := s.Write(ctx, ds); err != nil {
		t.Fatal(err)
	}
	after, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Entities != before.Entities || after.Relationships != before.Relationships {
		t.Errorf("second load changed counts: %+v → %+v", before, after)
	}
	ids := make([]string, len(ds.Entities))
	for i, e := range ds.Entities {
		ids[i] = e.ID
	}
	got, err := s.EntitiesByID(ctx, store.All, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ds.Entities {
		if g := got[e.ID]; g.Name != e.Name || g.Start != e.Start || len(g.Evidence) != len(e.Evidence) {
			t.Errorf("%s: stored %+v, seed %+v", e.ID, g, e)
		}
	}
}

// A dataset that fails validation writes nothing, not even its valid part.
func TestInvalidWriteWritesNothing(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ctx := context.Background()
	before, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bad := &kg.Dataset{
		Sources: kg.Sources{"us-china-cybersecurity-brief": {"x"}},
		Entities: []kg.Entity{
			{ID: "valid-new-entity", Kind: kg.Firm, Name: "Valid", Evidence: []kg.Evidence{{Source: "valid-new-entity", Paragraph: 1, Quote: "x"}}},
		},
		Relationships: []kg.Relationship{{ID: "r", Type: "PART_OF", From: "valid-new-entity", To: "nowhere", Confidence: kg.Confirmed}},
	}
	if err := s.Write(ctx, bad); err == nil {
		t.Fatal("Write accepted an invalid dataset")
	}
	after, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Entities != before.Entities || after.Relationships != before.Relationships {
		t.Errorf("a refused write changed the graph: %+v → %+v", before, after)
	}
}

// Re-seeding makes the graph equal to the seed: what the seed no longer
// holds is deleted, a relationship whose ends changed is moved, and a
// dataset that fails validation changes nothing.
func TestReplaceMakesTheGraphEqualToTheSeed(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	t.Cleanup(func() {
		if err := s.Replace(ctx, ds); err != nil { // later tests in this binary read the seed
			t.Errorf("restore the seed: %v", err)
		}
	})

	// Drop one entity (and the relationships that need it) and move one
	// relationship to other ends.
	dropped := ds.Entities[len(ds.Entities)-1].ID
	smaller := &kg.Dataset{Sources: ds.Sources}
	for _, e := range ds.Entities {
		if e.ID != dropped {
			smaller.Entities = append(smaller.Entities, e)
		}
	}
	var moved kg.Relationship
	for _, r := range ds.Relationships {
		if r.From == dropped || r.To == dropped {
			continue
		}
		if moved.ID == "" && r.Type == "PART_OF" {
			r.To, r.From = r.From, r.To
			moved = r
		}
		smaller.Relationships = append(smaller.Relationships, r)
	}
	if moved.ID == "" {
		t.Fatal("the seed has no PART_OF relationship to move")
	}
	if err := s.Replace(ctx, smaller); err != nil {
		t.Fatal(err)
	}
	stats, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Entities != len(smaller.Entities) || stats.Relationships != len(smaller.Relationships) {
		t.Errorf("after replace: %d entities, %d relationships; want %d and %d",
			stats.Entities, stats.Relationships, len(smaller.Entities), len(smaller.Relationships))
	}
	got, err := s.EntitiesByID(ctx, store.All, []string{dropped})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[dropped]; ok {
		t.Errorf("entity %s is still in the graph after a seed without it", dropped)
	}
	rels, _, err := s.RelationshipsOf(ctx, store.All, []string{moved.From}, store.RelFilter{Direction: store.Outgoing}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range rels[moved.From] {
		if r.ID == moved.ID {
			found++
			if r.To != moved.To {
				t.Errorf("relationship %s goes to %s, want %s", moved.ID, r.To, moved.To)
			}
		}
	}
	if found != 1 {
		t.Errorf("relationship %s found %d times from %s, want once", moved.ID, found, moved.From)
	}

	bad := *smaller
	bad.Relationships = append([]kg.Relationship{{ID: "r", Type: "PART_OF", From: "nowhere", To: "nobody", Confidence: kg.Confirmed}}, smaller.Relationships...)
	bad.Entities = smaller.Entities[:len(smaller.Entities)/2]
	if err := s.Replace(ctx, &bad); err == nil {
		t.Fatal("Replace accepted an invalid dataset")
	}
	after, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Entities != stats.Entities || after.Relationships != stats.Relationships {
		t.Errorf("a refused replace changed the graph: %+v → %+v", stats, after)
	}
}

// Issue 11: what the brief says must be data that queries reach, not only
// description text. Every paragraph but the endnotes' heading has at least
// half of its characters inside quotes that some entity, relationship or
// fact cites, so that a statement dropped from the graph shows up here.
func TestEveryParagraphIsMostlyQuoted(t *testing.T) {
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	paras := ds.Sources["us-china-cybersecurity-brief"]
	covered := make([][]bool, len(paras))
	for i, p := range paras {
		covered[i] = make([]bool, len(p))
	}
	mark := func(e kg.Evidence) {
		if e.Source != "us-china-cybersecurity-brief" || e.Paragraph < 1 || e.Paragraph > len(paras) {
			return
		}
		p := paras[e.Paragraph-1]
		for from := 0; ; {
			i := strings.Index(p[from:], e.Quote)
			if i < 0 || e.Quote == "" {
				break
			}
			for k := from + i; k < from+i+len(e.Quote); k++ {
				covered[e.Paragraph-1][k] = true
			}
			from += i + 1
		}
	}
	for _, e := range ds.Entities {
		for _, ev := range e.Evidence {
			mark(ev)
		}
		for _, f := range e.Facts {
			for _, ev := range f.Evidence {
				mark(ev)
			}
		}
	}
	for _, r := range ds.Relationships {
		for _, ev := range r.Evidence {
			mark(ev)
		}
		for _, f := range r.Facts {
			for _, ev := range f.Evidence {
				mark(ev)
			}
		}
	}
	for i, p := range paras {
		if p == "Endnotes" {
			continue
		}
		n := 0
		for _, c := range covered[i] {
			if c {
				n++
			}
		}
		if 2*n < len(p) {
			t.Errorf("¶%d: only %d of %d bytes are quoted as evidence: %.80q…", i+1, n, len(p), p)
		}
	}
}
