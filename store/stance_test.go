package store_test

import (
	"context"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// A graph written before stances were stored has none on its relationships:
// the stance filter reads a missing list as only supporting evidence, and
// ApplySchema's migration counts them from the evidence's JSON. One of
// Snowden's relationships is made (synthetically, in the database only)
// to have only disputing evidence and no stances; the seed is put back.
func TestStancesOfAnOlderGraphAreFilledIn(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	t.Cleanup(func() {
		if err := s.DeleteAll(ctx); err != nil {
			t.Error(err)
		}
		if err := s.Load(ctx, ds); err != nil {
			t.Error(err)
		}
	})
	s.RunSchemaForTest(t, `MATCH (:Entity)-[r]->(:Entity) REMOVE r.stances`)
	count := func(st kg.Stance) int {
		t.Helper()
		p, _, err := s.RelationshipPage(ctx, store.All, "snowden-revelations", store.RelFilter{Direction: store.Both, Stance: st}, 0, 100, true)
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	if d, sup := count(kg.Disputes), count(kg.Supports); d != 0 || sup != 11 {
		t.Fatalf("with no stances stored: %d disputed, %d supported; want 0 and 11", d, sup)
	}
	s.RunSchemaForTest(t, `MATCH (:Entity {id: 'snowden-revelations'})-[r {id: 'snowden-revelations--prompted--indigenous-product-preference'}]->()
		SET r.evidence = replace(r.evidence, '"quote":', '"stance":"DISPUTES","quote":')`)
	if err := s.ApplySchema(ctx); err != nil {
		t.Fatal(err)
	}
	if d, sup := count(kg.Disputes), count(kg.Supports); d != 1 || sup != 10 {
		t.Errorf("after the migration: %d disputed, %d supported; want 1 and 10", d, sup)
	}
}
