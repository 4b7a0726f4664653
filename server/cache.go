package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"cyberkg/graph/loader"
	"cyberkg/graph/plan"
	"cyberkg/kg"
)

// The response cache keeps whole responses to the queries of anonymous
// callers and readers, keyed by the normalised document, the operation's
// name, its variables and the caller's role, each with the graph's version
// it was made at and what it depends on (cachedeps.go). The version is read
// from Neo4j for every request (one small read, not counted among the
// request's Cypher queries, and shared with the requests that arrived at the
// same time: head.go): every committed write moves it inside its own
// transaction, so a request that starts after a write was acknowledged
// reads that write's version or a later one, on any server. Before an entry
// is used, the cache brings what it knows of the change log up to that
// version (one read of the changes since, when there are any) and serves
// the entry only if no change since it was made can have altered it: an
// answer that depends on every change, as most do, is left behind by any
// write; a lookup, a traversal, the timeline or a page of entities only by
// a change to an entity it read or to the graph's structure (and a page
// also by a change of any entity's name).
//
// For GET requests (persisted queries, which browsers and proxies may
// keep) the response carries an ETag naming the version the answer was
// made at and the key, and Cache-Control: no-cache, so that a client
// revalidates every time and a 304 costs it no body.

// entry is one cached answer: the data as the executor encoded it, the
// version it was made at, and what it depends on.
type entry struct {
	data    []byte
	version int64
	// checked is the newest version the answer is known to hold at: a
	// check walks back over the changes after it only, so a popular
	// answer that outlives many writes is not checked against all of them
	// on every hit.
	checked int64
	reads   []string // the entities the request read, sorted (unless on is onAll)
	on      dependence
}

func (e entry) size(key string) int64 {
	n := len(key) + len(e.data) + 64
	for _, id := range e.reads {
		n += len(id) + 16
	}
	return int64(n)
}

// responseCache is an LRU bounded by the bytes of the entries it holds.
type responseCache struct {
	mu       sync.Mutex
	entries  *lru.Cache[string, entry]
	bytes    int64
	maxBytes int64
	m        *metrics

	changes *changeFollower
	// knows reports whether graph/direct knows an operation: only then can
	// an answer depend on less than every change.
	knows func(*graphql.OperationContext) bool

	docs *lru.Cache[string, string] // raw document → normalised, so each is formatted once
}

func newResponseCache(maxBytes int64, m *metrics, changes *changeFollower, knows func(*graphql.OperationContext) bool) *responseCache {
	c := &responseCache{maxBytes: maxBytes, m: m, changes: changes, knows: knows}
	// The LRU orders the entries; their bytes bound them (evict, below),
	// so its own count bound is only a backstop.
	c.entries, _ = lru.NewWithEvict(1<<20, func(key string, e entry) {
		c.bytes -= e.size(key)
		m.cacheEvictions.Inc()
	})
	c.docs, _ = lru.New[string, string](1000)
	return c
}

func (c *responseCache) get(key string) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries.Get(key)
}

// add keeps e under key, in place of an older entry there.
func (c *responseCache) add(key string, e entry) {
	size := e.size(key)
	if size > c.maxBytes/4 {
		return // one response may not take the cache over
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries.Peek(key); ok {
		if old.version > e.version || old.checked > e.checked {
			return // a request that began later has made a newer one, or checked it later
		}
		c.bytes -= old.size(key) // replaced, not evicted
	}
	c.entries.Add(key, e)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.entries.RemoveOldest()
	}
	c.m.cacheBytes.Set(float64(c.bytes))
}

// dependence is what answers to oc depend on.
func (c *responseCache) dependence(oc *graphql.OperationContext) dependence {
	if c.knows == nil || !c.knows(oc) {
		return onAll
	}
	d := onReadAndStructure
	for _, f := range plan.Fields(oc.Operation.SelectionSet) {
		switch f.Name {
		case "__typename", "entity", "neighborhood", "chain", "paths", "timeline":
		case "entities":
			d = onReadStructureAndNames
		default:
			return onAll
		}
	}
	return d
}

// normalised is the document as gqlparser prints it: one spelling for
// every layout of the same document.
func (c *responseCache) normalised(oc *graphql.OperationContext) string {
	if n, ok := c.docs.Get(oc.RawQuery); ok {
		return n
	}
	var b []byte
	w := &byteWriter{&b}
	formatter.NewFormatter(w, formatter.WithComments()).FormatQueryDocument(oc.Doc)
	n := string(b)
	if len(oc.RawQuery) <= maxCachedQuery {
		c.docs.Add(oc.RawQuery, n)
	}
	return n
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }

// cacheable reports whether the operation's response may be cached for its
// caller: a query (not a mutation or a subscription) by an anonymous caller
// or a reader.
func cacheable(ctx context.Context, oc *graphql.OperationContext) bool {
	return oc.Operation != nil && oc.Operation.Operation == ast.Query && kg.ActorFromContext(ctx).Role <= kg.RoleReader
}

// admitted reports whether ctx is an operation that will run: gqlgen passes
// the responses it refuses (bad JSON, parse, validation and plan errors)
// through the response middleware too, and those must not cost a read of
// the version (they are refused before any Cypher runs).
func admitted(ctx context.Context) (*graphql.OperationContext, bool) {
	if !graphql.HasOperationContext(ctx) {
		return nil, false
	}
	p := plan.For(ctx)
	return graphql.GetOperationContext(ctx), p != nil && p.Admitted
}

// key is the entry of oc for role.
func (c *responseCache) key(oc *graphql.OperationContext, role kg.Role) (string, error) {
	vars, err := json.Marshal(oc.Variables) // maps marshal in key order
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, part := range []string{c.normalised(oc), oc.OperationName, string(vars)} {
		h.Write([]byte(strconv.Itoa(len(part))))
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return strconv.Itoa(int(role)) + "/" + hex.EncodeToString(h.Sum(nil)), nil
}

// cached is the response middleware of the cache; head reads the graph's
// version.
func (c *responseCache) cached(head func(context.Context) (int64, error)) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		oc, ok := admitted(ctx)
		if !ok || !cacheable(ctx, oc) {
			return next(ctx)
		}
		version, err := head(ctx)
		if err != nil {
			return next(ctx) // the resolvers will meet and report the same trouble
		}
		key, err := c.key(oc, kg.ActorFromContext(ctx).Role)
		if err != nil {
			return next(ctx)
		}
		c.changes.upTo(version)
		st := stateOf(ctx)
		tag := func(version int64) {
			if st != nil {
				st.etag = `"` + strconv.FormatInt(version, 10) + "/" + key + `"`
				st.private = kg.ActorFromContext(ctx).Role > kg.RoleAnonymous
			}
		}
		if e, ok := c.get(key); ok && c.changes.index.valid(e.checked, e.reads, e.on) {
			if e.checked < version {
				e.checked = version
				c.add(key, e)
			}
			c.m.cacheHits.Inc()
			tag(e.version)
			return &graphql.Response{Data: e.data, Extensions: map[string]any{"cached": true}}
		}
		c.m.cacheMisses.Inc()
		resp := next(ctx)
		if resp == nil || len(resp.Errors) > 0 {
			return resp // errors may pass: never kept, never tagged
		}
		e := entry{version: version, checked: version, on: c.dependence(oc)}
		if e.on != onAll {
			e.reads = loader.For(ctx).Read()
			slices.Sort(e.reads) // for valid's lookups
		}
		// The data as the executor encoded it (a copy: the entry outlives
		// this response), which a hit hands back as it is.
		e.data = bytes.Clone(resp.Data)
		c.add(key, e)
		tag(version)
		return resp
	}
}
