package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/seed"
	"cyberkg/store"
)

// Issue 19's "done when", over real HTTP on the test Neo4j. Every test that
// writes puts the seed back afterwards and checks that the graph is then the
// brief's graph again, compared whole: nothing a test wrote leaks into the
// tests that read.

// testActors lets tests name a role instead of a key: a bearer token
// "test-<role>" is replaced by a real API key of that role, made for the
// test in Neo4j (and deleted after it), which the server's authentication
// then checks as it checks any key.
func testActors(t testing.TB, s *store.Store, next http.Handler) http.Handler {
	keys := map[string]string{}
	for _, role := range []kg.Role{kg.RoleReader, kg.RoleCurator, kg.RoleAdmin} {
		key, k, err := s.CreateKey(context.Background(), "a test "+role.String(), role)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.DeleteKey(context.Background(), k.ID) })
		keys[role.String()] = key
	}
	// "test-revoked" is an admin's key that has been revoked.
	key, k, err := s.CreateKey(context.Background(), "a revoked test admin", kg.RoleAdmin)
	if err == nil {
		t.Cleanup(func() { s.DeleteKey(context.Background(), k.ID) })
		_, err = s.RevokeKey(context.Background(), k.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	keys["revoked"] = key
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if role, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer test-"); ok {
			r.Header.Set("Authorization", "Bearer "+keys[role])
		}
		next.ServeHTTP(w, r)
	})
}

// curationServer serves the seeded graph with test actors, and puts the
// seed back after the test.
func curationServer(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	s, _ := dbtest.Seeded(t)
	restoreSeedAfter(t, s)
	ts := httptest.NewServer(testActors(t, s, newHandler(s, testConfig(t), newMetrics(), discardLog())))
	t.Cleanup(ts.Close)
	return ts, s
}

// as posts a GraphQL document as an actor of role ("" for anonymous).
func as(t *testing.T, ts *httptest.Server, role, query string, vars map[string]any) gqlResponse {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		req.Header.Set("Authorization", "Bearer test-"+role)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("status %d, not JSON: %s", resp.StatusCode, body)
	}
	return out
}

func decode(t *testing.T, resp gqlResponse, field string, out any) {
	t.Helper()
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data[field], out); err != nil {
		t.Fatalf("%s: %v in %s", field, err, resp.Data[field])
	}
}

type payload struct {
	Version    *int
	Change     *struct{ ID string }
	UserErrors []struct {
		Path          []string
		Code, Message string
	}
	Entity *struct {
		ID, Description string
		Version         int
	}
}

func versionOf(t *testing.T, ts *httptest.Server, id string) int {
	t.Helper()
	var e struct{ Version int }
	decode(t, as(t, ts, "", `query($id: ID!) { entity(id: $id) { version } }`, map[string]any{"id": id}), "entity", &e)
	return e.Version
}

// exists reports whether the default read finds an entity: a missing one
// is a NOT_FOUND error.
func exists(t *testing.T, ts *httptest.Server, id string) bool {
	t.Helper()
	resp := as(t, ts, "", `query($id: ID!) { entity(id: $id) { id } }`, map[string]any{"id": id})
	if len(resp.Errors) == 1 && resp.Errors[0].Extensions["code"] == "NOT_FOUND" {
		return false
	}
	var e *struct{ ID string }
	decode(t, resp, "entity", &e)
	return e != nil
}

func head(t *testing.T, s *store.Store) int64 {
	t.Helper()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

const upsertEntity = `mutation($input: UpsertEntityInput!, $v: Int!, $only: Boolean) {
	upsertEntity(input: $input, expectedVersion: $v, reason: "a test", validateOnly: $only) {
		version change { id } userErrors { path code message } entity { id description version }
	}
}`

// A quote that its paragraph does not hold is refused in userErrors,
// naming the field, and nothing is written.
func TestHTTPQuoteNotInParagraphRefusedNothingWritten(t *testing.T) {
	ts, s := curationServer(t)
	before := head(t, s)
	var p payload
	decode(t, as(t, ts, "curator", upsertEntity, map[string]any{"v": 0, "input": map[string]any{
		"id": "invented-agency", "kind": "AGENCY", "name": "Invented agency",
		"evidence": []any{map[string]any{"source": brief, "locator": "¶2", "quote": "not a word of this is in the brief"}},
	}}), "upsertEntity", &p)
	if len(p.UserErrors) != 1 || p.UserErrors[0].Code != "QUOTE_NOT_IN_SOURCE" || strings.Join(p.UserErrors[0].Path, ".") != "input.evidence.0.quote" || p.Change != nil {
		t.Errorf("payload %+v; want one QUOTE_NOT_IN_SOURCE at input.evidence.0.quote and no change", p)
	}
	if exists(t, ts, "invented-agency") || head(t, s) != before {
		t.Errorf("head %d → %d: want nothing written", before, head(t, s))
	}
}

const brief = "us-china-cybersecurity-brief"

// A write's payload reads what it wrote only when asked, and then as
// written: a new relationship with its evidence and version, in force
// (asOf) from its end's start, which the write read before the graph's
// lock and checked under it. A refused write names no relationship.
func TestHTTPRelationshipPayloadReadsWhatWasWritten(t *testing.T) {
	ts, _ := curationServer(t)
	const mutation = `mutation($input: UpsertRelationshipInput!, $v: Int!) {
		upsertRelationship(input: $input, expectedVersion: $v, reason: "a synthetic test relationship") {
			version change { id } userErrors { path code message }
			relationship { id version from { id } to { id } evidence { quote } }
		}
	}`
	input := map[string]any{"id": "synthetic-payload-test", "type": "CONCERNS", "from": "opm-breach-2015", "to": "opm",
		"confidence": "REPORTED", "evidence": []any{map[string]any{"source": brief, "locator": "¶2", "quote": "Cybersecurity is of vital importance"}}}
	type rel struct {
		ID       string
		Version  int
		From, To struct{ ID string }
		Evidence []struct{ Quote string }
	}
	var p struct {
		Version      *int
		Change       *struct{ ID string }
		UserErrors   []struct{ Code string }
		Relationship *rel
	}
	decode(t, as(t, ts, "curator", mutation, map[string]any{"v": 0, "input": input}), "upsertRelationship", &p)
	r := p.Relationship
	if len(p.UserErrors) != 0 || p.Change == nil || r == nil || r.ID != "synthetic-payload-test" || r.Version != 1 || *p.Version != 1 ||
		r.From.ID != "opm-breach-2015" || r.To.ID != "opm" || len(r.Evidence) != 1 || r.Evidence[0].Quote != "Cybersecurity is of vital importance" {
		t.Fatalf("payload %+v, relationship %+v: want the relationship as written, version 1", p, r)
	}
	// The event began in 2015: in force from then, not before.
	for asOf, want := range map[string]bool{"2014-06-01": false, "2016-06-01": true} {
		var e struct{ Relationships []struct{ ID string } }
		decode(t, as(t, ts, "", `query($asOf: Date) { entity(id: "opm") { relationships(types: [CONCERNS], asOf: $asOf) { id } } }`,
			map[string]any{"asOf": asOf}), "entity", &e)
		found := slices.ContainsFunc(e.Relationships, func(x struct{ ID string }) bool { return x.ID == r.ID })
		if found != want {
			t.Errorf("asOf %s: in force %v; want %v (from its end's start, 2015)", asOf, found, want)
		}
	}
	p.Relationship = nil
	decode(t, as(t, ts, "curator", mutation, map[string]any{"v": 0, "input": input}), "upsertRelationship", &p)
	if len(p.UserErrors) != 1 || p.UserErrors[0].Code != "VERSION_CONFLICT" || p.Relationship != nil {
		t.Errorf("a refused write: %+v; want one VERSION_CONFLICT and no relationship", p)
	}
}

// Two writers send the same expectedVersion: exactly one succeeds; the
// other gets VERSION_CONFLICT with the current version.
func TestHTTPTwoWritersSameExpectedVersionOneWins(t *testing.T) {
	ts, _ := curationServer(t)
	v := versionOf(t, ts, "nsa")
	var wg sync.WaitGroup
	results := make([]payload, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			decode(t, as(t, ts, "curator", upsertEntity, map[string]any{"v": v, "input": map[string]any{
				"id": "nsa", "description": fmt.Sprintf("writer %d was here", i)}}), "upsertEntity", &results[i])
		}()
	}
	wg.Wait()
	wins := 0
	for _, p := range results {
		switch {
		case len(p.UserErrors) == 0 && p.Change != nil && *p.Version == v+1:
			wins++
		case len(p.UserErrors) == 1 && p.UserErrors[0].Code == "VERSION_CONFLICT" && p.Version != nil && *p.Version == v+1 && p.Change == nil:
		default:
			t.Errorf("payload %+v: neither the winner nor a VERSION_CONFLICT at version %d", p, v+1)
		}
	}
	if wins != 1 {
		t.Errorf("%d writers won; want exactly 1", wins)
	}
}

// Retract, then read with recordedAt before the retraction (the entity as
// it was, with its relationships) and after it (nothing); the history says
// who, when and why.
func TestHTTPRetractThenReadWithRecordedAt(t *testing.T) {
	ts, _ := curationServer(t)
	v := versionOf(t, ts, "dupont")
	before := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(10 * time.Millisecond) // record times are Neo4j's clock: keep the two apart
	var p payload
	decode(t, as(t, ts, "curator", `mutation($v: Int!) { retract(id: "dupont", reason: "duplicate of another record", expectedVersion: $v) {
		version change { id } userErrors { code message } } }`, map[string]any{"v": v}), "retract", &p)
	if len(p.UserErrors) > 0 || p.Change == nil {
		t.Fatalf("retract: %+v", p)
	}
	time.Sleep(10 * time.Millisecond)
	after := time.Now().UTC().Format(time.RFC3339Nano)
	const read = `query($t: Time) { entity(id: "dupont", recordedAt: $t) { name version relationships(recordedAt: $t) { type } } }`
	var then struct {
		Name          string
		Relationships []struct{ Type string }
	}
	decode(t, as(t, ts, "", read, map[string]any{"t": before}), "entity", &then)
	if then.Name != "Dupont" || len(then.Relationships) == 0 {
		t.Errorf("dupont recorded at before the retraction: %+v; want it with its relationships", then)
	}
	var now *struct{ Name string }
	decode(t, as(t, ts, "", read, map[string]any{"t": after}), "entity", &now)
	if now != nil {
		t.Errorf("dupont recorded at after its retraction: %+v; want null", now)
	}
	if exists(t, ts, "dupont") {
		t.Errorf("dupont in the default read after its retraction")
	}
	var changes struct {
		Nodes []struct {
			ID, Reason string
			Actor      struct{ Role string }
			Items      []struct{ Op, Target string }
		}
	}
	// From just before the retraction: a long-lived test database's log
	// holds more than a page of older changes touching dupont.
	seq, _ := strconv.Atoi(strings.TrimPrefix(p.Change.ID, "change-"))
	decode(t, as(t, ts, "", `query($a: String) { changes(entity: "dupont", after: $a, first: 100) { nodes { id reason actor { role } items { op target } } } }`,
		map[string]any{"a": strconv.Itoa(seq - 1)}), "changes", &changes)
	if len(changes.Nodes) == 0 {
		t.Fatalf("no change touching dupont after %d", seq-1)
	}
	last := changes.Nodes[len(changes.Nodes)-1]
	if last.ID != p.Change.ID || last.Reason != "duplicate of another record" || last.Actor.Role != "curator" {
		t.Errorf("newest change touching dupont: %+v; want the retraction, its reason and a curator", last)
	}
}

// A merge then its revertChange give back the same graph, compared whole.
func TestHTTPMergeThenRevertSameGraph(t *testing.T) {
	ts, s := curationServer(t)
	before, _ := s.Snapshot(context.Background())
	var p payload
	decode(t, as(t, ts, "admin", `mutation($i: Int!, $f: Int!) { mergeEntities(input: {into: "united-states", from: "nsa", intoVersion: $i, fromVersion: $f}, reason: "test") {
		change { id } userErrors { code message } } }`, map[string]any{"i": versionOf(t, ts, "united-states"), "f": versionOf(t, ts, "nsa")}), "mergeEntities", &p)
	if len(p.UserErrors) > 0 || p.Change == nil {
		t.Fatalf("merge: %+v", p)
	}
	merged, _ := s.Snapshot(context.Background())
	if reflect.DeepEqual(merged, before) {
		t.Fatal("the merge changed nothing")
	}
	var r struct {
		Change     *struct{ ID string }
		UserErrors []struct{ Code, Message string }
	}
	decode(t, as(t, ts, "admin", `mutation($id: ID!) { revertChange(id: $id) { change { id } userErrors { code message } } }`,
		map[string]any{"id": p.Change.ID}), "revertChange", &r)
	if len(r.UserErrors) > 0 || r.Change == nil {
		t.Fatalf("revert: %+v", r)
	}
	after, _ := s.Snapshot(context.Background())
	if !reflect.DeepEqual(after, before) {
		n := 0
		for k, v := range before {
			if after[k] != v && n < 5 {
				n++
				t.Errorf("%s differs after the revert:\n before %s\n after  %s", k, v, after[k])
			}
		}
		t.Errorf("%d keys before, %d after the revert", len(before), len(after))
	}
}

// A failure injected after the data, its versions and its change are
// written, before the commit, leaves no data, no history and no change.
func TestHTTPInjectedFailureLeavesNothing(t *testing.T) {
	ts, s := curationServer(t)
	graphBefore, _ := s.Snapshot(context.Background())
	headBefore := head(t, s)
	v := versionOf(t, ts, "nsa")
	defer s.FailAfterWrite(func(string) error { return errors.New("injected failure") })()
	resp := as(t, ts, "curator", upsertEntity, map[string]any{"v": v, "input": map[string]any{"id": "nsa", "description": "never committed"}})
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "INTERNAL" {
		t.Fatalf("the failing write: %+v; want an INTERNAL error", resp.Errors)
	}
	graphAfter, _ := s.Snapshot(context.Background())
	hist, _ := s.History(context.Background(), "nsa")
	for _, h := range hist {
		if h.Version > v {
			t.Errorf("history holds version %d of the failed write", h.Version)
		}
	}
	if !reflect.DeepEqual(graphAfter, graphBefore) || head(t, s) != headBefore {
		t.Errorf("after the injected failure: head %d → %d, graph equal %v; want nothing written", headBefore, head(t, s), reflect.DeepEqual(graphAfter, graphBefore))
	}
}

// `server seed` of a changed seed file is one change set in changes: its
// diff, and nothing a curator did is undone by it.
func TestHTTPSeedOfAChangedFileIsOneChangeSet(t *testing.T) {
	ts, s := curationServer(t)
	var p payload
	decode(t, as(t, ts, "curator", upsertEntity, map[string]any{"v": 0, "input": map[string]any{
		"id": "curators-own", "kind": "ORGANIZATION", "name": "A curator's own entity",
		"evidence": []any{map[string]any{"source": brief, "locator": "2", "quote": "Cybersecurity is of vital importance"}},
	}}), "upsertEntity", &p)
	if len(p.UserErrors) > 0 {
		t.Fatalf("curator's entity: %+v", p.UserErrors)
	}
	changed := changedSeed(t, "chesapeake-energy", "Changed in the seed file by a test.")
	headBefore := head(t, s)
	if err := loadSeed(context.Background(), s, changed, discardLog()); err != nil {
		t.Fatal(err)
	}
	var changes struct {
		Nodes []struct {
			ID, Origin string
			Items      []struct {
				Op, Target string
				Fields     []string
			}
		}
	}
	decode(t, as(t, ts, "", `query($after: String) { changes(after: $after) { nodes { id origin items { op target fields } } } }`,
		map[string]any{"after": fmt.Sprint(headBefore)}), "changes", &changes)
	if len(changes.Nodes) != 1 {
		t.Fatalf("changes after the seed: %+v; want one change set", changes.Nodes)
	}
	c := changes.Nodes[0]
	if c.Origin != "seed" || len(c.Items) != 1 || c.Items[0].Target != "chesapeake-energy" || c.Items[0].Op != "UPDATE" || strings.Join(c.Items[0].Fields, ",") != "description" {
		t.Errorf("the seed's change set: %+v; want one UPDATE of chesapeake-energy's description", c)
	}
	if !exists(t, ts, "curators-own") {
		t.Error("the seed reload undid a curator's entity")
	}
}

// changedSeed is the project's seed with one entity's description changed.
func changedSeed(t *testing.T, id, description string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(seed.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(seed.Files, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, f := range m {
		text := string(f.Data)
		at := strings.Index(text, "  - id: "+id+"\n")
		if at < 0 {
			continue
		}
		rest := text[at:]
		d := strings.Index(rest, "    description: ")
		end := d + strings.Index(rest[d:], "\n")
		m[p] = &fstest.MapFile{Data: []byte(text[:at] + rest[:d] + "    description: " + description + rest[end:])}
		return m
	}
	t.Fatalf("no entity %s in the seed", id)
	return nil
}

// The role × operation matrix, with real API keys of each role (testActors)
// and a revoked one, which is refused 401 UNAUTHENTICATED before anything runs.
func TestHTTPRolesOfWrites(t *testing.T) {
	ts, _ := curationServer(t)
	nsa, us := versionOf(t, ts, "nsa"), versionOf(t, ts, "united-states")
	ops := map[string]string{
		"addSource":          `mutation { addSource(input: {id: "roles-source", title: "T", text: "One."}, validateOnly: true) { userErrors { code } } }`,
		"upsertEntity":       fmt.Sprintf(`mutation { upsertEntity(input: {id: "nsa", description: "x"}, expectedVersion: %d, validateOnly: true) { userErrors { code } } }`, nsa),
		"upsertRelationship": `mutation { upsertRelationship(input: {type: CRITICIZED, from: "nsa", to: "united-states", confidence: REPORTED, evidence: [{source: "us-china-cybersecurity-brief", locator: "2", quote: "Cybersecurity"}]}, validateOnly: true) { userErrors { code } } }`,
		"addEvidence":        `mutation { addEvidence(input: {target: "nsa", source: "us-china-cybersecurity-brief", locator: "2", quote: "Cybersecurity", stance: DISPUTES}, validateOnly: true) { userErrors { code } } }`,
		"retract":            fmt.Sprintf(`mutation { retract(id: "nsa", reason: "x", expectedVersion: %d, validateOnly: true) { userErrors { code } } }`, nsa),
		"mergeEntities":      fmt.Sprintf(`mutation { mergeEntities(input: {into: "united-states", from: "nsa", intoVersion: %d, fromVersion: %d}, validateOnly: true) { userErrors { code } } }`, us, nsa),
		"read":               `{ entity(id: "nsa") { id } }`,
	}
	denied := map[string]map[string]string{
		"":        {"addSource": "UNAUTHENTICATED", "upsertEntity": "UNAUTHENTICATED", "upsertRelationship": "UNAUTHENTICATED", "addEvidence": "UNAUTHENTICATED", "retract": "UNAUTHENTICATED", "mergeEntities": "UNAUTHENTICATED"},
		"reader":  {"addSource": "FORBIDDEN", "upsertEntity": "FORBIDDEN", "upsertRelationship": "FORBIDDEN", "addEvidence": "FORBIDDEN", "retract": "FORBIDDEN", "mergeEntities": "FORBIDDEN"},
		"curator": {"mergeEntities": "FORBIDDEN"},
		"admin":   {},
		"revoked": {"addSource": "UNAUTHENTICATED", "upsertEntity": "UNAUTHENTICATED", "upsertRelationship": "UNAUTHENTICATED", "addEvidence": "UNAUTHENTICATED", "retract": "UNAUTHENTICATED", "mergeEntities": "UNAUTHENTICATED", "read": "UNAUTHENTICATED"},
	}
	for _, role := range []string{"", "reader", "curator", "admin", "revoked"} {
		for op, q := range ops {
			resp := as(t, ts, role, q, nil)
			want := denied[role][op]
			var got string
			if len(resp.Errors) > 0 {
				got, _ = resp.Errors[0].Extensions["code"].(string)
			}
			if got != want {
				t.Errorf("%q %s: code %q (%+v), want %q", role, op, got, resp.Errors, want)
			}
		}
	}
}
