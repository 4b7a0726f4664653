package store_test

import (
	"context"
	"net"
	"testing"
	"time"

	"cyberkg/errs"
	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

// A store that has just reached Neo4j is ready: Open's check is a real query.
func TestReadyAfterOpen(t *testing.T) {
	s := dbtest.Open(t)
	if err := s.Ready(); err != nil {
		t.Fatalf("Ready after Open = %v", err)
	}
}

// When Neo4j refuses connections (stopped) the health check calls it down
// within a second; when it accepts them but never answers (hung, or a
// network that drops packets) after two checks have timed out. Either way
// it says so once, and from then on a query fails at once with Unavailable
// instead of waiting on the driver's timeouts.
func TestQueriesFailFastWhileNeo4jIsDown(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		var held []net.Conn // accepted and never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	tests := []struct {
		name   string
		uri    string
		within time.Duration
	}{
		{"refused", "bolt://127.0.0.1:1", time.Second},
		{"silent", "bolt://" + silent.Addr().String(), 2 * time.Second}, // two checks of 500 ms
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes := make(chan error, 10)
			s, err := store.New(store.Config{
				URI: tt.uri, User: "neo4j", Password: "x", HealthTimeout: 500 * time.Millisecond,
				HealthChanged: func(err error) { changes <- err },
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(context.Background())

			select {
			case err := <-changes:
				if err == nil {
					t.Fatal("told Neo4j is up")
				}
			case <-time.After(tt.within):
				t.Fatalf("not told Neo4j is down within %v", tt.within)
			}
			if err := s.Ready(); errs.KindOf(err) != errs.Unavailable {
				t.Errorf("Ready = %v, want an Unavailable error", err)
			}
			start := time.Now()
			_, err = s.Stats(context.Background())
			if took := time.Since(start); took > 100*time.Millisecond {
				t.Errorf("a query while Neo4j is down took %v", took)
			}
			if errs.KindOf(err) != errs.Unavailable {
				t.Errorf("query error = %v, want Unavailable", err)
			}
			time.Sleep(time.Second) // more checks fail: still down, said only once
			select {
			case err := <-changes:
				t.Errorf("told of a second change: %v", err)
			default:
			}
		})
	}
}
