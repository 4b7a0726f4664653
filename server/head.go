package main

import (
	"context"
	"sync"
	"time"

	"cyberkg/store"
)

// headGate shares reads of the graph's version (the change log's Head)
// among the requests waiting for one, without ever answering a request
// from a read that began before it arrived. A request that finds no read
// under way starts one; one that arrives while a read is under way waits
// for the next, which starts as soon as that one ends and serves every
// request that arrived meanwhile. So each request still sees every write
// acknowledged before it arrived, on any server, as the response cache
// needs, while at 16 clients a cache hit no longer costs a Bolt round trip
// of its own: the hits' reads, which are what bounded a hit at about the
// floor's throughput, are made once per batch.
//
// A request carrying a client's bookmarks reads on its own: a shared read
// would not wait for them.
type headGate struct {
	read    func(context.Context) (int64, error)
	timeout time.Duration

	mu      sync.Mutex
	running bool
	next    *headRead // the read the requests arriving now will get
}

type headRead struct {
	done    chan struct{}
	version int64
	err     error
}

func newHeadGate(read func(context.Context) (int64, error), timeout time.Duration) *headGate {
	return &headGate{read: read, timeout: timeout}
}

// head is the graph's version as read at some moment after the call began.
func (g *headGate) head(ctx context.Context) (int64, error) {
	if store.WaitsForBookmarks(ctx) {
		return g.read(ctx)
	}
	g.mu.Lock()
	r := g.next
	if r == nil {
		r = &headRead{done: make(chan struct{})}
		g.next = r
	}
	if !g.running {
		g.running = true
		g.next = nil
		go g.run(r)
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.version, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run makes read r, then the read that requests arriving during it wait
// for, until none is waiting.
func (g *headGate) run(r *headRead) {
	for r != nil {
		// Shared by several requests, so bound by its own deadline rather
		// than any one request's.
		ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
		r.version, r.err = g.read(ctx)
		cancel()
		close(r.done)
		g.mu.Lock()
		r, g.next = g.next, nil
		g.running = r != nil
		g.mu.Unlock()
	}
}
