package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"cyberkg/errs"
	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

// Over HTTP: a request that writes gets its write's bookmark in
// X-Neo4j-Bookmark; a request that sends it back reads after it; a forged
// one is refused as bad input. (Writes reach the store the way a mutation's
// resolver would: with the request's context.)
func TestBookmarkHeaderRoundTrip(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	h := withBookmarks(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		if r.URL.Path == "/write" {
			err = s.Write(r.Context(), ds) // the seed merged again: the graph is unchanged
		} else {
			_, err = s.Search(r.Context(), store.All, "qualcom", nil, 1)
		}
		if errs.KindOf(err) == errs.Invalid {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	ts := httptest.NewServer(h)
	defer ts.Close()
	do := func(path, bookmark string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, nil)
		if bookmark != "" {
			req.Header.Set(bookmarkHeader, bookmark)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	w := do("/write", "")
	bm := w.Header.Get(bookmarkHeader)
	if w.StatusCode != 200 || bm == "" {
		t.Fatalf("write: status %d, bookmark %q", w.StatusCode, bm)
	}
	if r := do("/read", bm); r.StatusCode != 200 || r.Header.Get(bookmarkHeader) != "" {
		t.Errorf("read after %q: status %d, bookmark %q (reads return none)", bm, r.StatusCode, r.Header.Get(bookmarkHeader))
	}
	if r := do("/read", "FB:forged"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a forged bookmark: status %d, want 400", r.StatusCode)
	}
}
