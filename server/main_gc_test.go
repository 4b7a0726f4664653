package main

import "testing"

// The heap's soft limit must leave requests their room above a full cache:
// the limit that did not count the cache made a full one cost most of the
// server's CPU in garbage collection.
func TestMemoryLimitLeavesRequestsRoomAboveTheCache(t *testing.T) {
	const requests = 64 << 20
	for _, cache := range []int64{0, 16 << 20, 64 << 20, 1 << 30} {
		if got := memoryLimit(cache); got < requests+cache+cache/4 || got < 96<<20 {
			t.Errorf("memoryLimit(%d) = %d: under %d for requests above the cache and its bookkeeping, or under 96 MiB", cache, got, requests+cache+cache/4)
		}
	}
	if got := memoryLimit(64 << 20); got > 200<<20 {
		t.Errorf("memoryLimit with the default cache = %d MiB: over the 200 MB the server is to stay in", got>>20)
	}
}
