package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"cyberkg/errs"
)

// A probe that runs out of time while transactions still complete is a
// busy database, not a dead one; without completions, two in a row mean
// down; a refused connection means down at once either way.
func TestSlowProbesDoNotTakeDownABusyDatabase(t *testing.T) {
	h := newHealth(Config{HealthInterval: 500 * time.Millisecond, HealthTimeout: time.Second})
	slow, refused := errors.New("probe timed out"), errors.New("connection refused")
	h.record(nil, false)
	if h.state != stateUp {
		t.Fatalf("after a good probe: state %v, want up", h.state)
	}

	h.answered()
	for range 5 {
		h.record(slow, true)
	}
	if h.state != stateUp {
		t.Errorf("slow probes while transactions complete: state %v, want up", h.state)
	}

	h.lastAnswer.Store(time.Now().Add(-time.Minute).UnixNano())
	h.record(slow, true)
	if h.state != stateUp {
		t.Errorf("one slow probe and no answers: state %v, want still up", h.state)
	}
	h.record(slow, true)
	if h.state != stateDown {
		t.Errorf("two slow probes and no answers: state %v, want down", h.state)
	}

	h.record(nil, false)
	h.answered()
	h.record(refused, false)
	if h.state != stateDown {
		t.Errorf("refused connection: state %v, want down at once", h.state)
	}
}

// A driver error met after the request's deadline is the request running
// out of time, not Neo4j going away.
func TestErrorsAfterTheDeadlineAreTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	connectivity := errors.New("ConnectivityError: context deadline exceeded")
	if got := errs.KindOf(classify(ctx, "test", connectivity)); got != errs.Timeout {
		t.Errorf("after the deadline: kind %v, want Timeout", got)
	}
	if got := classify(context.Background(), "test", connectivity); errs.KindOf(got) == errs.Timeout || !errors.Is(got, connectivity) {
		t.Errorf("before the deadline: %v (kind %v), want the error as it was, not a timeout", got, errs.KindOf(got))
	}
}
