package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"cyberkg/graph/plan"
	"cyberkg/kg"
)

// The response cache keeps whole responses to the queries of anonymous
// callers and readers, keyed by the normalised document, the operation's
// name, its variables, the caller's role and the graph's version. The
// version is read from Neo4j for every request (one small read, not counted
// among the request's Cypher queries, and shared with the requests that
// arrived at the same time: head.go): every committed write moves it
// inside its own transaction, so a request that starts after a write was
// acknowledged reads that write's version or a later one, on any server,
// and can never be answered from an entry made before it. Old versions'
// entries are never looked up again and age out of the LRU.
//
// For GET requests (persisted queries, which browsers and proxies may
// keep) the response carries an ETag naming the version and the key, and
// Cache-Control: no-cache, so that a client revalidates every time and a
// 304 costs it no body.

// responseCache is an LRU bounded by the bytes of the responses it holds.
type responseCache struct {
	mu       sync.Mutex
	entries  *lru.Cache[string, []byte]
	bytes    int64
	maxBytes int64
	m        *metrics

	docs *lru.Cache[string, string] // raw document → normalised, so each is formatted once
}

func newResponseCache(maxBytes int64, m *metrics) *responseCache {
	c := &responseCache{maxBytes: maxBytes, m: m}
	// The LRU orders the entries; their bytes bound them (evict, below),
	// so its own count bound is only a backstop.
	c.entries, _ = lru.NewWithEvict(1<<20, func(key string, v []byte) {
		c.bytes -= int64(len(key) + len(v))
		m.cacheEvictions.Inc()
	})
	c.docs, _ = lru.New[string, string](1000)
	return c
}

func (c *responseCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries.Get(key)
}

func (c *responseCache) add(key string, v []byte) {
	size := int64(len(key) + len(v))
	if size > c.maxBytes/4 {
		return // one response may not take the cache over
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries.Contains(key) {
		return
	}
	c.entries.Add(key, v)
	c.bytes += size
	for c.bytes > c.maxBytes {
		c.entries.RemoveOldest()
	}
	c.m.cacheBytes.Set(float64(c.bytes))
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

// key is the entry of oc for role at version.
func (c *responseCache) key(oc *graphql.OperationContext, role kg.Role, version int64) (string, error) {
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
	return strconv.FormatInt(version, 10) + "/" + strconv.Itoa(int(role)) + "/" + hex.EncodeToString(h.Sum(nil)), nil
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
		key, err := c.key(oc, kg.ActorFromContext(ctx).Role, version)
		if err != nil {
			return next(ctx)
		}
		st := stateOf(ctx)
		if st != nil {
			st.etag = `"` + key + `"`
			st.private = kg.ActorFromContext(ctx).Role > kg.RoleAnonymous
		}
		if data, ok := c.get(key); ok {
			c.m.cacheHits.Inc()
			return &graphql.Response{Data: data, Extensions: map[string]any{"cached": true}}
		}
		c.m.cacheMisses.Inc()
		resp := next(ctx)
		if resp == nil || len(resp.Errors) > 0 {
			if st != nil {
				st.etag = "" // errors may pass: never tell a client to keep them
			}
			return resp
		}
		// The data as the executor encoded it (a copy: the entry outlives
		// this response), which a hit hands back as it is.
		c.add(key, bytes.Clone(resp.Data))
		return resp
	}
}
