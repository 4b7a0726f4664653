package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"cyberkg/errs"
	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// Loading the seed is one change of the log: Head is its Seq, and it lists
// an item for each entity and relationship, found by entity and by type.
func TestLoadIsOneChangeOfTheLog(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	head, err := s.Head(ctx)
	if err != nil || head < 1 {
		t.Fatalf("Head after the seed load = %d, %v; want at least 1", head, err)
	}
	// The log outlives the graph (DeleteAll keeps it), so find the newest
	// load among the changes touching nsa.
	all, err := s.ChangesAfter(ctx, 0, kg.ChangeFilter{Entity: "nsa"}, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	var load kg.Change
	for _, c := range all {
		if strings.HasPrefix(c.Reason, "load ") && len(c.Items) > 0 && c.Items[0].Op == kg.OpCreate {
			load = c
		}
	}
	if load.ID == "" {
		t.Fatal("no load among the changes that touch nsa")
	}
	if len(load.Items) != len(ds.Entities)+len(ds.Relationships) {
		t.Errorf("the load's change has %d items, want %d", len(load.Items), len(ds.Entities)+len(ds.Relationships))
	}
	if load.ID != "change-"+itoa(load.Seq) || load.At.IsZero() {
		t.Errorf("change %+v: want id change-<seq> and a record time", load.ID)
	}
	byType, err := s.ChangesAfter(ctx, load.Seq-1, kg.ChangeFilter{Types: []kg.RelType{"FINED"}}, 1)
	if err != nil || len(byType) != 1 || byType[0].Seq != load.Seq {
		t.Errorf("changes with a FINED item after %d: %d changes, %v; want the load", load.Seq-1, len(byType), err)
	}
	none, err := s.ChangesAfter(ctx, 0, kg.ChangeFilter{Actor: "nobody-at-all"}, 10)
	if err != nil || len(none) != 0 {
		t.Errorf("changes by an actor who never wrote: %v, %v", none, err)
	}
}

// Writes prune the log beyond its retention, and a cursor older than what
// is retained is refused with the oldest Seq held, so that a follower knows
// to start again rather than miss changes.
func TestChangesAfterBeyondRetentionNamesTheOldestHeld(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	oldest := func() int64 {
		t.Helper()
		cs, err := s.ChangesAfter(ctx, 0, kg.ChangeFilter{}, 1)
		if err != nil || len(cs) != 1 {
			t.Fatalf("the oldest change: %v, %v", cs, err)
		}
		return cs[0].Seq
	}
	before := oldest()
	s.SetChangeRetention(store.Retention{Changes: 1})
	defer s.SetChangeRetention(store.Retention{})
	for range 2 { // the seed again: the same graph, two more changes
		if err := s.Replace(ctx, ds); err != nil {
			t.Fatal(err)
		}
	}
	held := oldest()
	if held <= before {
		t.Fatalf("oldest change held %d, before %d: nothing pruned", held, before)
	}
	_, err := s.ChangesAfter(ctx, held-2, kg.ChangeFilter{}, 10)
	if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), "oldest held is "+itoa(held)) {
		t.Fatalf("ChangesAfter(%d): %v; want Invalid naming %d", held-2, err, held)
	}
	if got, err := s.ChangesAfter(ctx, held-1, kg.ChangeFilter{}, 10); err != nil || len(got) == 0 || got[0].Seq != held {
		t.Errorf("ChangesAfter(%d) = %v, %v; want from the oldest held", held-1, got, err)
	}
}

// A failure after every statement of a change ran leaves no data, no change
// and the same Head.
func TestFailureAfterTheWriteLeavesNothing(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	before, _ := s.Head(ctx)
	boom := errors.New("injected")
	restore := s.FailAfterWrite(func(string) error { return boom })
	err := s.Replace(ctx, &kg.Dataset{Entities: ds.Entities, Relationships: ds.Relationships[1:], Sources: ds.Sources})
	restore()
	if !errors.Is(err, boom) {
		t.Fatalf("Replace with the injected failure: %v", err)
	}
	after, _ := s.Head(ctx)
	st, _ := s.Stats(ctx)
	if after != before || st.Entities != len(ds.Entities) || st.Relationships != len(ds.Relationships) {
		t.Errorf("after the failed Replace: head %d (was %d), %d entities, %d relationships; want nothing changed", after, before, st.Entities, st.Relationships)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
