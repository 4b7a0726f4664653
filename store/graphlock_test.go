package store

import (
	"context"
	"testing"
	"time"

	"cyberkg/errs"
)

// This process's writers take the graph's lock one at a time; one that
// cannot have it before its deadline gives up with TIMEOUT rather than
// queue past it, and a released place goes to the next.
func TestGraphLockQueueIsOneAtATimeAndHonoursDeadlines(t *testing.T) {
	q := make(graphLockQueue, 1)
	release, err := q.wait(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := q.wait(short, "test"); errs.KindOf(err) != errs.Timeout {
		t.Fatalf("a second writer while the first holds the lock: %v, want to wait and then time out", err)
	}
	next := make(chan error, 1)
	go func() {
		r, err := q.wait(context.Background(), "test")
		if err == nil {
			r()
		}
		next <- err
	}()
	select {
	case err := <-next:
		t.Fatalf("the next writer took the lock while the first held it (%v)", err)
	case <-time.After(20 * time.Millisecond):
	}
	release()
	if err := <-next; err != nil {
		t.Fatalf("the next writer, once the first released: %v", err)
	}
}
