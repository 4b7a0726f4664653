package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A request with a call limit of n holds at most n transactions at once; a
// further one waits for a slot, and gives up when the request's context
// ends rather than queueing past its deadline.
func TestCallLimitBoundsTransactionsPerRequest(t *testing.T) {
	ctx := WithCallLimit(context.Background(), 2)
	r1, err1 := acquireCall(ctx)
	r2, err2 := acquireCall(ctx)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := acquireCall(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third call while two run: %v, want to wait and then give up", err)
	}
	r1()
	r3, err := acquireCall(ctx)
	if err != nil {
		t.Fatalf("a slot freed, yet: %v", err)
	}
	r2()
	r3()
	if _, err := acquireCall(context.Background()); err != nil {
		t.Errorf("without a limit: %v", err)
	}
}
