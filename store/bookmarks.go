package store

import (
	"context"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Bookmarks carry causal consistency across servers: in a Neo4j cluster a
// read may land on a follower that has not yet applied a write the same
// client just made. A client that sends back the bookmark of its last write
// has every transaction of its next request wait until the member serving
// it has caught up to that write, whichever API replica and Neo4j member
// serve it. On a single instance they are accepted and always satisfied.
type Bookmarks struct {
	mu   sync.Mutex
	in   []string // the client's, sent with every transaction of the request
	last []string // after this request's latest write
}

type bookmarksKey struct{}

// WithBookmarks returns a context whose transactions start after the
// bookmarks given (none: no wait) and record the bookmark of their writes.
func WithBookmarks(ctx context.Context, in []string) (context.Context, *Bookmarks) {
	b := &Bookmarks{in: in}
	return context.WithValue(ctx, bookmarksKey{}, b), b
}

// Last is the bookmark of the request's latest committed write, or nil if
// it wrote nothing.
func (b *Bookmarks) Last() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func bookmarksOf(ctx context.Context) *Bookmarks {
	b, _ := ctx.Value(bookmarksKey{}).(*Bookmarks)
	return b
}

// sessionBookmarks is what a session of ctx starts after: the client's
// bookmarks and those of the request's own writes so far.
func (b *Bookmarks) session() neo4j.Bookmarks {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return neo4j.CombineBookmarks(neo4j.BookmarksFromRawValues(b.in...), neo4j.BookmarksFromRawValues(b.last...))
}

// wrote records the bookmark of a committed write.
func (b *Bookmarks) wrote(bm neo4j.Bookmarks) {
	if b == nil || len(bm) == 0 {
		return
	}
	b.mu.Lock()
	b.last = neo4j.BookmarksToRawValues(bm)
	b.mu.Unlock()
}

// WaitsForBookmarks reports whether the transactions of ctx must start
// after bookmarks a client sent: a read shared with other requests would
// not honour them.
func WaitsForBookmarks(ctx context.Context) bool {
	b := bookmarksOf(ctx)
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.in) > 0 || len(b.last) > 0
}
