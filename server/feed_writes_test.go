package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// feedWriter makes the feed tests' writes as a client would: mutations
// over HTTP with a curator's API key, on a synthetic entity citing a
// synthetic source, so that what the feed delivers is what a curator's
// write commits. The graph is the brief's again after the test.
type feedWriter struct {
	t       *testing.T
	url     string // the server's /graphql
	key     string
	version int // the synthetic entity's, as the last write left it
	n       int
}

const (
	feedTestSource = "synthetic-feed-test-source"
	feedTestEntity = "synthetic-feed-test-entity"
	// Not from any source: a paragraph made up for the feed's tests.
	feedTestText = "Synthetic test paragraph: the change feed's tests cite it, and it says nothing about the world."
)

// newFeedWriter puts the seed back when the test ends, makes a curator key,
// and adds the synthetic source and entity through the server at url (two
// changes, before any the test counts).
func newFeedWriter(t *testing.T, s *store.Store, url string) *feedWriter {
	t.Helper()
	restoreSeedAfter(t, s)
	key, k, err := s.CreateKey(context.Background(), "feed test curator (synthetic writes)", kg.RoleCurator)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.DeleteKey(context.Background(), k.ID) })
	w := &feedWriter{t: t, url: url + "/graphql", key: key}
	w.do(`mutation($id: ID!, $text: String!) {
		addSource(input: {id: $id, title: "Synthetic source for the feed tests", text: $text}, reason: "feed test setup") {
			change { id } userErrors { path code message } } }`,
		map[string]any{"id": feedTestSource, "text": feedTestText}, "addSource")
	p := w.do(`mutation($input: UpsertEntityInput!) {
		upsertEntity(input: $input, expectedVersion: 0, reason: "feed test setup") {
			version change { id } userErrors { path code message } } }`,
		map[string]any{"input": map[string]any{
			"id": feedTestEntity, "kind": "ORGANIZATION", "name": "Synthetic feed test organization",
			"description": "synthetic: made by the feed tests",
			"evidence":    []any{map[string]any{"source": feedTestSource, "locator": "¶1", "quote": "Synthetic test paragraph"}},
		}}, "upsertEntity")
	w.version = p.Version
	// A Neo4j just started compiles each statement on its first use, which
	// took two seconds on a busy machine: the poller's reads of the log are
	// made once here, so that the tests time delivery, not that.
	if _, err := s.ChangesAfter(context.Background(), 0, kg.ChangeFilter{}, 1); err != nil {
		t.Fatal(err)
	}
	return w
}

// write changes the synthetic entity's description (upsertEntity at the
// version it read) and returns the change's seq, as the payload names it.
func (w *feedWriter) write() int64 {
	w.t.Helper()
	w.n++
	p := w.do(`mutation($input: UpsertEntityInput!, $v: Int!) {
		upsertEntity(input: $input, expectedVersion: $v, reason: "feed test write") {
			version change { id } userErrors { path code message } } }`,
		map[string]any{"v": w.version, "input": map[string]any{
			"id": feedTestEntity, "description": fmt.Sprintf("synthetic: feed test write %d", w.n)}}, "upsertEntity")
	w.version = p.Version
	return p.seq
}

type feedWritePayload struct {
	Version int
	Change  *struct{ ID string }
	seq     int64
}

// do posts a mutation with the curator's key and fails the test unless
// field's payload has a change and no userErrors.
func (w *feedWriter) do(query string, vars map[string]any, field string) feedWritePayload {
	w.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, w.url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		w.t.Fatalf("%s: status %d, not JSON: %v", field, resp.StatusCode, err)
	}
	var p struct {
		feedWritePayload
		UserErrors []struct {
			Path          []string
			Code, Message string
		}
	}
	if len(out.Errors) > 0 || json.Unmarshal(out.Data[field], &p) != nil || len(p.UserErrors) > 0 || p.Change == nil {
		w.t.Fatalf("%s: errors %+v, payload %s", field, out.Errors, out.Data[field])
	}
	seq, err := strconv.ParseInt(strings.TrimPrefix(p.Change.ID, "change-"), 10, 64)
	if err != nil {
		w.t.Fatalf("%s: change id %q", field, p.Change.ID)
	}
	p.seq = seq
	return p.feedWritePayload
}

// restoreSeedAfter makes the graph exactly the seed again when the test
// ends, versions too, and checks it is the brief's graph as it was: the
// tests that read expect what `server seed` makes of an empty database.
func restoreSeedAfter(t *testing.T, s *store.Store) {
	t.Helper()
	_, ds := dbtest.Seeded(t)
	before, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if err := s.DeleteAll(ctx); err != nil {
			t.Errorf("put the seed back: %v", err)
			return
		}
		if err := s.Load(ctx, ds); err != nil {
			t.Errorf("put the seed back: %v", err)
			return
		}
		if after, err := s.Snapshot(ctx); err != nil || !reflect.DeepEqual(after, before) {
			t.Errorf("the brief's graph is not what it was after putting the seed back (%v)", err)
		}
	})
}
