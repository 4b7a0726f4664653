package main

import (
	"net/http"
	"strings"

	"cyberkg/store"
)

// bookmarkHeader carries Neo4j bookmarks between a client and the API: a
// response to a request that wrote has the bookmark of that write, and a
// request that sends it back reads at least that write, whichever API
// replica and Neo4j cluster member serve it (store/bookmarks.go).
const bookmarkHeader = "X-Neo4j-Bookmark"

// withBookmarks accepts the client's bookmarks (the header, repeated or
// comma-separated) and returns the bookmark of the request's last write.
func withBookmarks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in []string
		for _, v := range r.Header.Values(bookmarkHeader) {
			for _, b := range strings.Split(v, ",") {
				if b = strings.TrimSpace(b); b != "" && len(b) <= 512 && len(in) < 16 {
					in = append(in, b)
				}
			}
		}
		ctx, bm := store.WithBookmarks(r.Context(), in)
		next.ServeHTTP(&bookmarkWriter{ResponseWriter: w, bookmarks: bm}, r.WithContext(ctx))
	})
}

// bookmarkWriter sets the header when the response starts: gqlgen writes
// it after the operation, so every write of the request has committed.
type bookmarkWriter struct {
	http.ResponseWriter
	bookmarks *store.Bookmarks
	started   bool
}

func (w *bookmarkWriter) start() {
	if !w.started {
		w.started = true
		if last := w.bookmarks.Last(); len(last) > 0 {
			w.Header().Set(bookmarkHeader, strings.Join(last, ","))
		}
	}
}

func (w *bookmarkWriter) WriteHeader(code int) { w.start(); w.ResponseWriter.WriteHeader(code) }

func (w *bookmarkWriter) Write(b []byte) (int, error) { w.start(); return w.ResponseWriter.Write(b) }

func (w *bookmarkWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
