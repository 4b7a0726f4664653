package store_test

import (
	"context"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

func TestRelationshipsByIDFindsAnyType(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ids := []string{"cisco-china-sales-decline-2013--affected--cisco", "china--reviewed--apple-2015", "no--such--relationship"}
	found, err := s.RelationshipsByID(context.Background(), store.All, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[ids[0]].To != "cisco" || found[ids[1]].Type != "REVIEWED" {
		t.Fatalf("found %+v", found)
	}
}
