package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"cyberkg/errs"
	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

var (
	curator = kg.Actor{ID: "key-curator", Name: "a curator", Role: kg.RoleCurator}
	admin   = kg.Actor{ID: "key-admin", Name: "an admin", Role: kg.RoleAdmin}
	reader  = kg.Actor{ID: "key-reader", Name: "a reader", Role: kg.RoleReader}
)

func as(a kg.Actor) context.Context { return kg.NewContextWithActor(context.Background(), a) }

func ptr[T any](v T) *T { return &v }

// restoreSeed puts the graph back to exactly the seed after a test that
// writes, versions too: the tests that read expect what a load makes.
func restoreSeed(t *testing.T, s *store.Store, ds *kg.Dataset) {
	t.Helper()
	t.Cleanup(func() {
		ctx := context.Background()
		if err := s.DeleteAll(ctx); err != nil {
			t.Errorf("restore the seed: %v", err)
		}
		if err := s.Load(ctx, ds); err != nil {
			t.Errorf("restore the seed: %v", err)
		}
	})
}

// versionNow is an entity's current version: tests that restore the seed
// leave it past 1.
func versionNow(t *testing.T, s *store.Store, id string) int {
	t.Helper()
	got, err := s.EntitiesByID(context.Background(), store.All, []string{id})
	if err != nil || got[id].ID == "" {
		t.Fatalf("entity %s: %v", id, err)
	}
	return got[id].Version
}

func writeProblems(t *testing.T, err error) *kg.WriteError {
	t.Helper()
	var we *kg.WriteError
	if !errors.As(err, &we) {
		t.Fatalf("got %v, want a *kg.WriteError", err)
	}
	return we
}

const brief = "us-china-cybersecurity-brief"

// A quote that is not in the paragraph it cites is refused, naming the
// field, and nothing is written: not the entity, not a change.
func TestQuoteNotInItsParagraphIsRefusedWithNothingWritten(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	before, _ := s.Head(context.Background())
	_, err := s.UpsertEntity(as(curator), kg.EntityInput{ID: "made-up-agency", Kind: kg.Agency, Name: ptr("Made-up agency"),
		Evidence: []kg.EvidenceInput{{Source: brief, Locator: "¶2", Quote: "words the brief never says"}}}, kg.Write{Reason: "test"})
	we := writeProblems(t, err)
	if len(we.Problems) != 1 || we.Problems[0].Code != kg.CodeQuoteNotInSource || fmt.Sprint(we.Problems[0].Path) != "[input evidence 0 quote]" {
		t.Errorf("problems %+v; want one QUOTE_NOT_IN_SOURCE at input.evidence.0.quote", we.Problems)
	}
	after, _ := s.Head(context.Background())
	_, found, _ := s.EntityAt(context.Background(), "made-up-agency", time.Now())
	if after != before || found {
		t.Errorf("head %d → %d, entity found %v; want nothing written", before, after, found)
	}
}

// Two writers with the same expectedVersion: exactly one wins, the other is
// a VERSION_CONFLICT naming the version it now is.
func TestTwoWritersWithTheSameExpectedVersionOneWins(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	const n = 4
	v := versionNow(t, s, "nsa")
	errc := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.UpsertEntity(as(curator), kg.EntityInput{ID: "nsa", Description: ptr(fmt.Sprintf("edit %d", i)), ExpectedVersion: v}, kg.Write{Reason: "race"})
			errc <- err
		}()
	}
	wins, conflicts := 0, 0
	for range n {
		err := <-errc
		if err == nil {
			wins++
			continue
		}
		we := writeProblems(t, err)
		if we.Problems[0].Code == kg.CodeVersionConflict && we.Current == v+1 {
			conflicts++
		}
	}
	if wins != 1 || conflicts != n-1 {
		t.Errorf("%d won, %d conflicted at version %d; want 1 and %d", wins, conflicts, v+1, n-1)
	}
}

// A retraction leaves the default reads and keeps the history; reading at a
// record time before it shows the entity as it was.
func TestRetractThenReadWithRecordedAt(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	ctx := context.Background()
	v := versionNow(t, s, "dupont")
	before := time.Now()
	w, err := s.Retract(as(curator), "dupont", v, kg.Write{Reason: "a test retracts it"})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	if got, _ := s.EntitiesByID(ctx, store.All, []string{"dupont"}); len(got) != 0 {
		t.Errorf("dupont still in the default reads after its retraction")
	}
	then, found, err := s.EntityAt(ctx, "dupont", before)
	if err != nil || !found || then.Name != "Dupont" {
		t.Errorf("dupont recorded at before the retraction: %+v, %v, %v", then.Name, found, err)
	}
	if _, found, _ := s.EntityAt(ctx, "dupont", after); found {
		t.Errorf("dupont found recorded at after its retraction")
	}
	rels, err := s.RelationshipsAt(ctx, "dupont", store.RelFilter{}, before, 100)
	if err != nil || len(rels) == 0 {
		t.Errorf("dupont's relationships recorded at before: %d, %v", len(rels), err)
	}
	h, err := s.History(ctx, "dupont")
	last := h[len(h)-1]
	if err != nil || len(h) < 2 || h[0].Version != 1 || !last.Retracted || last.Reason != "a test retracts it" || last.Actor.ID != curator.ID || last.ChangeID != w.Change.ID {
		t.Errorf("history %+v, %v; want the loaded version and the retraction with its reason, actor and change", h, err)
	}
}

// A merge, then its revert, gives back the same graph, compared whole.
func TestMergeThenRevertGivesBackTheSameGraph(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	for _, c := range []struct{ into, from string }{
		{"united-states", "nsa"},
		// fireeye claims the decline's attribution; the book shares a claim
		// with the United States, which must not then list it twice.
		{"mandiant", "fireeye"},
		{"united-states", "singer-friedman-book"},
	} {
		t.Run(c.from, func(t *testing.T) {
			before := wholeGraph(t, s)
			m, err := s.MergeEntities(as(admin), kg.MergeInput{Into: c.into, From: c.from, IntoVersion: versionNow(t, s, c.into), FromVersion: versionNow(t, s, c.from)}, kg.Write{Reason: "test merge"})
			if err != nil {
				t.Fatal(err)
			}
			merged := wholeGraph(t, s)
			if reflect.DeepEqual(merged, before) {
				t.Fatal("the merge changed nothing")
			}
			for k, v := range merged {
				if claims := claimedByOf(v); slices.Contains(claims, c.from) || len(claims) != len(slices.Compact(slices.Sorted(slices.Values(claims)))) {
					t.Errorf("%s after the merge: claimedBy %v; want %s replaced by %s, once", k, claims, c.from, c.into)
				}
			}
			if _, err := s.RevertChange(as(admin), m.Change.ID, kg.Write{}); err != nil {
				t.Fatal(err)
			}
			after := wholeGraph(t, s)
			if !reflect.DeepEqual(after, before) {
				for k, v := range before {
					if !reflect.DeepEqual(after[k], v) {
						t.Errorf("%s: before %v\nafter %v", k, v, after[k])
					}
				}
				for k := range after {
					if _, ok := before[k]; !ok {
						t.Errorf("%s: only after", k)
					}
				}
			}
		})
	}
}

// claimedByOf reads the claimedBy property out of a Snapshot's text.
func claimedByOf(props string) []string {
	_, rest, ok := strings.Cut(props, "claimedBy=[")
	if !ok {
		return nil
	}
	list, _, _ := strings.Cut(rest, "]")
	return strings.Fields(list)
}

// wholeGraph is every entity and relationship with every property but the
// bookkeeping of versions, which a revert advances rather than rewinds.
func wholeGraph(t *testing.T, s *store.Store) map[string]string {
	t.Helper()
	g, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The roles: anonymous and readers cannot write; curators write but not
// merge; admins do everything.
func TestWriteRoles(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	anonymous := kg.Anonymous
	nsa, us := versionNow(t, s, "nsa"), versionNow(t, s, "united-states")
	ev := kg.EvidenceInput{Source: brief, Locator: "¶2", Quote: "Cybersecurity is of vital importance"}
	ops := map[string]func(ctx context.Context) error{
		"upsertEntity": func(ctx context.Context) error {
			_, err := s.UpsertEntity(ctx, kg.EntityInput{ID: "nsa", Description: ptr("x"), ExpectedVersion: nsa}, kg.Write{ValidateOnly: true})
			return err
		},
		"addEvidence": func(ctx context.Context) error {
			_, err := s.AddEvidence(ctx, "nsa", ev, nsa, kg.Write{ValidateOnly: true})
			return err
		},
		"retract": func(ctx context.Context) error {
			_, err := s.Retract(ctx, "nsa", nsa, kg.Write{Reason: "x", ValidateOnly: true})
			return err
		},
		"mergeEntities": func(ctx context.Context) error {
			_, err := s.MergeEntities(ctx, kg.MergeInput{Into: "united-states", From: "nsa", IntoVersion: us, FromVersion: nsa}, kg.Write{ValidateOnly: true})
			return err
		},
		"addSource": func(ctx context.Context) error {
			_, err := s.AddSource(ctx, kg.SourceInput{ID: "role-test-source", Title: "T", Text: "One."}, kg.Write{ValidateOnly: true})
			return err
		},
	}
	want := map[kg.Role]map[string]errs.Kind{
		kg.RoleAnonymous: {"upsertEntity": errs.Unauthenticated, "addEvidence": errs.Unauthenticated, "retract": errs.Unauthenticated, "mergeEntities": errs.Unauthenticated, "addSource": errs.Unauthenticated},
		kg.RoleReader:    {"upsertEntity": errs.Forbidden, "addEvidence": errs.Forbidden, "retract": errs.Forbidden, "mergeEntities": errs.Forbidden, "addSource": errs.Forbidden},
		kg.RoleCurator:   {"mergeEntities": errs.Forbidden},
		kg.RoleAdmin:     {},
	}
	before, _ := s.Head(context.Background())
	for _, a := range []kg.Actor{anonymous, reader, curator, admin} {
		names := make([]string, 0, len(ops))
		for n := range ops {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			err := ops[name](as(a))
			wantKind, denied := want[a.Role][name]
			switch {
			case denied && errs.KindOf(err) != wantKind:
				t.Errorf("%s %s: %v, want %s", a.Role, name, err, wantKind)
			case !denied && err != nil:
				t.Errorf("%s %s: %v, want allowed", a.Role, name, err)
			}
		}
	}
	if after, _ := s.Head(context.Background()); after != before {
		t.Errorf("validateOnly writes moved head %d → %d", before, after)
	}
}

// The seed applied again with a change is one change set of its diff, and
// it leaves what a curator added and retracted as the curator left it.
func TestSeedChangeSetKeepsCuratorWork(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	ctx := context.Background()
	// Only what the seed wrote last is the seed's to change: lockheed-martin
	// no other test edits.
	ev := []kg.EvidenceInput{{Source: brief, Locator: "¶2", Quote: "Cybersecurity is of vital importance"}}
	if _, err := s.UpsertEntity(as(curator), kg.EntityInput{ID: "curator-added", Kind: kg.Organization, Name: ptr("Added by a curator"), Evidence: ev}, kg.Write{Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retract(as(curator), "dupont", versionNow(t, s, "dupont"), kg.Write{Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	changed := *ds
	changed.Entities = append([]kg.Entity(nil), ds.Entities...)
	for i, e := range changed.Entities {
		if e.ID == "lockheed-martin" {
			changed.Entities[i].Description = "Changed in the seed file."
		}
	}
	c, err := s.ApplyDataset(as(admin), &changed, "seed", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 1 || c.Items[0].Target != "lockheed-martin" || c.Items[0].Op != kg.OpUpdate || fmt.Sprint(c.Items[0].Fields) != "[description]" {
		t.Errorf("the seed change set: %+v; want one UPDATE of lockheed-martin's description", c.Items)
	}
	got, _ := s.EntitiesByID(ctx, store.All, []string{"curator-added", "dupont", "lockheed-martin"})
	if _, ok := got["curator-added"]; !ok {
		t.Error("the seed reload removed what a curator added")
	}
	if _, ok := got["dupont"]; ok {
		t.Error("the seed reload brought back what a curator retracted")
	}
	if got["lockheed-martin"].Description != "Changed in the seed file." {
		t.Errorf("lockheed-martin: %q", got["lockheed-martin"].Description)
	}
	again, err := s.ApplyDataset(as(admin), &changed, "seed", true)
	if err != nil || len(again.Items) != 0 {
		t.Errorf("the same seed again: %+v, %v; want no change", again.Items, err)
	}
}

// A fact takes several pieces of evidence by its id, "<owner>#<name>"; one
// that disputes it beside one that supports it makes it contested, and the
// write is a new version of its owner.
func TestEvidenceOnAFactMakesItContested(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	const owner = "opm-breach-2015"
	v := versionNow(t, s, owner)
	w, err := s.AddEvidence(as(curator), kg.FactID(owner, "people_affected"),
		kg.EvidenceInput{Source: brief, Locator: "¶11", Quote: "Despite the Chinese government’s constant denial", Stance: kg.Disputes}, v, kg.Write{Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Version != v+1 || w.Target != owner+"#people_affected" || len(w.Change.Items) != 1 || w.Change.Items[0].Kind != kg.TargetEvidence || w.Change.Items[0].Target != owner {
		t.Errorf("written %+v; want version %d of %s, one EVIDENCE item", w, v+1, owner)
	}
	got, err := s.EntitiesByID(context.Background(), store.All, []string{owner})
	if err != nil {
		t.Fatal(err)
	}
	e := got[owner]
	f := e.Facts[0]
	if len(f.Evidence) != 2 || !f.Contested() || f.Stated().Paragraph != 12 || e.Contested() {
		t.Errorf("fact %+v: want two pieces, contested, stated by ¶12; the entity itself not contested", f)
	}
	for _, c := range []struct{ target, code string }{
		{owner + "#no_such_fact", kg.CodeNotFound},
		{"no-such-entity#people_affected", kg.CodeUnknownEntity},
		{owner + "#a#b", kg.CodeBadValue},
	} {
		_, err := s.AddEvidence(as(curator), c.target, kg.EvidenceInput{Source: brief, Locator: "¶12", Quote: "more than 20 million people"}, -1, kg.Write{})
		if we := writeProblems(t, err); we.Problems[0].Code != c.code || fmt.Sprint(we.Problems[0].Path) != "[input target]" {
			t.Errorf("%s: %+v; want %s at input.target", c.target, we.Problems, c.code)
		}
	}
}

// Writers that read and check before they take the graph's lock lose
// nothing to each other: four pieces of evidence added at once to one
// target without an expectedVersion all land, each its own version, and
// the log stays gapless.
func TestConcurrentEvidenceOnOneTargetAllLands(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	quotes := []string{"Cybersecurity is of vital importance", "a new realm for trust", "the business market", "a high level of tension"}
	v := versionNow(t, s, "wto")
	head, _ := s.Head(context.Background())
	errc := make(chan error, len(quotes))
	for _, q := range quotes {
		go func() {
			_, err := s.AddEvidence(as(curator), "wto", kg.EvidenceInput{Source: brief, Locator: "¶2", Quote: q}, -1, kg.Write{Reason: "race"})
			errc <- err
		}()
	}
	for range quotes {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
	got, err := s.EntitiesByID(context.Background(), store.All, []string{"wto"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range quotes {
		if !slices.ContainsFunc(got["wto"].Evidence, func(e kg.Evidence) bool { return e.Quote == q }) {
			t.Errorf("the evidence %q was lost", q)
		}
	}
	if got["wto"].Version != v+len(quotes) {
		t.Errorf("version %d; want %d", got["wto"].Version, v+len(quotes))
	}
	changes, err := s.ChangesAfter(context.Background(), head, kg.ChangeFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range changes {
		if c.Seq != head+int64(i)+1 || (i > 0 && c.At.Before(changes[i-1].At)) {
			t.Errorf("change %d: seq %d at %s; want gapless and in record-time order", i, c.Seq, c.At)
		}
	}
	if len(changes) != len(quotes) {
		t.Errorf("%d changes; want %d", len(changes), len(quotes))
	}
}

// A source's id is taken for good: adding it again is EXISTS, also once
// its REPORT entity is retracted (the text stays, for the evidence citing
// it), and nothing is written.
func TestAddingASourceTwiceIsRefused(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	in := kg.SourceInput{ID: "synthetic-twice-source", Title: "A synthetic source", Text: "Its one paragraph."}
	w, err := s.AddSource(as(curator), in, kg.Write{Reason: "a test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retract(as(curator), in.ID, w.Version, kg.Write{Reason: "a test"}); err != nil {
		t.Fatal(err)
	}
	head, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.AddSource(as(curator), in, kg.Write{Reason: "a test"})
	if p := writeProblems(t, err).Problems; len(p) != 1 || p[0].Code != kg.CodeExists {
		t.Errorf("adding it again: %+v; want one %s", p, kg.CodeExists)
	}
	if after, err := s.Head(context.Background()); err != nil || after != head {
		t.Errorf("head %d → %d (%v): want nothing written", head, after, err)
	}
}
