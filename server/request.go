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
		st := &requestState{}
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
		}
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
