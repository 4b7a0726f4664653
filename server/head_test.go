package main

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Requests share reads of the version, but none is ever answered by a read
// that began before it arrived: that is what keeps a cached answer from
// predating a write acknowledged before the request. The read here is a
// logical clock, not the database: what is tested is the gate's ordering.
func TestHeadGateNeverAnswersFromAReadBeganBeforeTheRequest(t *testing.T) {
	var clock, reads atomic.Int64
	g := newHeadGate(func(context.Context) (int64, error) {
		reads.Add(1)
		began := clock.Add(1)
		time.Sleep(200 * time.Microsecond)
		return began, nil
	}, time.Second)
	const callers, rounds = 32, 50
	var wg sync.WaitGroup
	var early atomic.Int64
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				arrived := clock.Add(1)
				v, err := g.head(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if v < arrived {
					early.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := early.Load(); n != 0 {
		t.Errorf("%d answers came from a read that began before the request", n)
	}
	if n := reads.Load(); n >= callers*rounds {
		t.Errorf("%d reads for %d requests: none was shared", n, callers*rounds)
	}
	t.Logf("%d reads for %d requests", reads.Load(), callers*rounds)
}

// A request that gives up waiting gets its context's error, and the gate
// goes on serving others.
func TestHeadGateHonoursTheRequestsContext(t *testing.T) {
	release := make(chan struct{})
	g := newHeadGate(func(context.Context) (int64, error) { <-release; return 7, nil }, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := g.head(ctx); err != context.DeadlineExceeded {
		t.Fatalf("err = %v, want the deadline", err)
	}
	close(release)
	if v, err := g.head(context.Background()); v != 7 || err != nil {
		t.Fatalf("after: %d, %v", v, err)
	}
}
