package main

import (
	"context"
	"encoding/json"
	"net/http"

	"cyberkg/store"
)

// requestState is what the GraphQL layer learns about a request that the
// HTTP layer needs, carried in the request's context.
type requestState struct {
	unavailable bool // every root field failed because Neo4j is down

	// For GET requests: the response's ETag (set by the response cache),
	// whether it is for the caller alone, and the request's If-None-Match.
	get         bool
	etag        string
	private     bool
	ifNoneMatch string
	notModified bool
}

type stateKey struct{}

func stateOf(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// withRequestState counts the request's Cypher round trips and, when the
// response says Neo4j is down, answers 503 with Retry-After instead of the
// transport's 200.
func withRequestState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &requestState{get: r.Method == http.MethodGet, ifNoneMatch: r.Header.Get("If-None-Match")}
		ctx := context.WithValue(store.WithQueryCounter(r.Context()), stateKey{}, st)
		next.ServeHTTP(&statusWriter{ResponseWriter: w, st: st}, r.WithContext(ctx))
	})
}

// withCallLimit bounds the Neo4j transactions the request runs at a time.
func withCallLimit(n int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(store.WithCallLimit(r.Context(), n)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	st    *requestState
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.wrote = true
		if w.st.unavailable {
			w.Header().Set("Retry-After", retryAfter)
			w.ResponseWriter.WriteHeader(http.StatusServiceUnavailable)
		} else if w.st.get && w.st.etag != "" {
			// Kept, but checked with us before every use: the version in
			// the tag moves with every write.
			w.Header().Set("ETag", w.st.etag)
			cc := "public, no-cache"
			if w.st.private {
				cc = "private, no-cache"
			}
			w.Header().Set("Cache-Control", cc)
			if w.st.ifNoneMatch == w.st.etag {
				w.ResponseWriter.WriteHeader(http.StatusNotModified)
				w.st.notModified = true
			}
		}
	}
	if w.st.notModified {
		return len(b), nil // a 304 has no body
	}
	return w.ResponseWriter.Write(b)
}

// allNull reports whether every root field of a response's data is null.
func allNull(data json.RawMessage) bool {
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return false
	}
	for _, v := range fields {
		if string(v) != "null" {
			return false
		}
	}
	return true
}
