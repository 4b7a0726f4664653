package store_test

import (
	"context"
	"testing"

	"cyberkg/errs"
	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

// A write returns its bookmark; another server (its own driver, over a
// neo4j:// routing URI, reads in read sessions) given that bookmark reads
// after that write; a bookmark the database never issued is bad input.
func TestBookmarksCarryAWriteToAnotherServer(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx, bm := store.WithBookmarks(context.Background(), nil)
	if err := s.Write(ctx, ds); err != nil { // the same data merged again: the graph stays the seed
		t.Fatal(err)
	}
	last := bm.Last()
	if len(last) == 0 {
		t.Fatal("a committed write left no bookmark")
	}

	cfg, routing := dbtest.RoutingConfig(t)
	if !routing {
		t.Logf("the test Neo4j is a container: %s, not a routing URI", cfg.URI)
	}
	other, err := store.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("open %s: %v", cfg.URI, err)
	}
	defer other.Close(context.Background())

	rctx, rbm := store.WithBookmarks(context.Background(), last)
	hits, err := other.Search(rctx, store.All, "qualcom", nil, 1)
	if err != nil {
		t.Fatalf("read after the bookmark %v: %v", last, err)
	}
	if len(hits) != 1 || hits[0].Entity.ID != "qualcomm" {
		t.Errorf("read after the bookmark found %v", hits)
	}
	if got := rbm.Last(); got != nil {
		t.Errorf("a read recorded a bookmark %v; only writes do", got)
	}

	bctx, _ := store.WithBookmarks(context.Background(), []string{"not-a-bookmark"})
	if _, err := other.Search(bctx, store.All, "qualcom", nil, 1); errs.KindOf(err) != errs.Invalid {
		t.Errorf("a forged bookmark gave %v (kind %v), want bad input", err, errs.KindOf(err))
	}
}
