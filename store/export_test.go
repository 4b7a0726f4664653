package store

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// SetLoadChunk makes Load use transactions of n items until restore is called.
func SetLoadChunk(n int) (restore func()) {
	old := loadChunk
	loadChunk = n
	return func() { loadChunk = old }
}

// SetCostly makes the shortest-path search take over from shortestPath past
// n relationships until restore is called.
func SetCostly(n int) (restore func()) {
	old := costly
	costly = n
	return func() { costly = old }
}

// RunSchemaForTest runs one schema statement (which cannot share a
// transaction with anything), failing the test on error.
func (s *Store) RunSchemaForTest(t interface{ Fatal(...any) }, stmt string) {
	ctx := context.Background()
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite, DatabaseName: s.db})
	defer session.Close(ctx)
	res, err := session.Run(ctx, stmt, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
}
