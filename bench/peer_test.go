package main

import (
	"os"
	"testing"
)

// The peer serves bench/peer/schema.graphql; it must be what peerSchema
// says now, or the peer would answer for another vocabulary or other Cypher.
func TestPeerSchemaIsCurrent(t *testing.T) {
	got, err := os.ReadFile("peer/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != peerSchema() {
		t.Error("bench/peer/schema.graphql is stale: run go run ./bench peer-schema > bench/peer/schema.graphql")
	}
}
