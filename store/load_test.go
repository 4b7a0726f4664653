package store_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cyberkg/errs"
	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

// Load writes into an empty graph only: loading over a graph would make a
// second copy of every entity.
func TestLoadRefusesAGraphThatIsNotEmpty(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	err := s.Load(ctx, ds)
	if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Load over the seed: got %v, want an Invalid error saying the graph is not empty", err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entities != len(ds.Entities) || st.Relationships != len(ds.Relationships) {
		t.Errorf("after the refused Load: %d entities, %d relationships; want the seed's %d and %d",
			st.Entities, st.Relationships, len(ds.Entities), len(ds.Relationships))
	}
}

// A load too large for one transaction is written in several; when one of
// them fails (here the client gives up after the third), the graph is
// emptied again, which is where the load started: all or nothing.
func TestLoadInManyTransactionsIsAllOrNothing(t *testing.T) {
	_, ds := dbtest.Seeded(t)
	defer store.SetLoadChunk(50)() // the seed's 584 items in 12 transactions

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var loads atomic.Int64
	s, err := store.Open(ctx, dbtest.Config(t), func(op string, _ time.Duration, _ error) {
		if op == "store.Load" && loads.Add(1) == 3 {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	bg := context.Background()
	if err := s.DeleteAll(bg); err != nil {
		t.Fatal(err)
	}
	// Later tests in this binary read the seed: put it back whatever happens.
	defer func() {
		err := s.DeleteAll(bg)
		if err == nil {
			err = s.Load(bg, ds)
		}
		if err != nil {
			t.Fatalf("reload the seed: %v", err)
		}
	}()

	err = s.Load(ctx, ds)
	if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "cancel") {
		t.Fatalf("Load with its context cancelled part-way: got %v, want the cancellation", err)
	}
	if loads.Load() < 3 {
		t.Fatalf("only %d statements ran: the load was not cut part-way", loads.Load())
	}
	st, err := s.Stats(bg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entities != 0 || st.Relationships != 0 {
		t.Errorf("after the failed load: %d entities and %d relationships, want an empty graph", st.Entities, st.Relationships)
	}

	// The same load, uncut, writes everything.
	if err := s.Load(bg, ds); err != nil {
		t.Fatal(err)
	}
	if st, err = s.Stats(bg); err != nil {
		t.Fatal(err)
	}
	if st.Entities != len(ds.Entities) || st.Relationships != len(ds.Relationships) {
		t.Errorf("after the load: %d entities, %d relationships; want %d and %d",
			st.Entities, st.Relationships, len(ds.Entities), len(ds.Relationships))
	}
}
