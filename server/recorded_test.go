package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Issue 19's record time on every read that takes asOf: changes through
// the write service, then the same reads before them, after them and live.

// stamp is now as a record time, kept apart from the writes around it
// (record times are Neo4j's clock).
func stamp() string {
	time.Sleep(15 * time.Millisecond)
	t := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(15 * time.Millisecond)
	return t
}

// raw posts a query and returns its data as JSON text, failing on errors.
func raw(t *testing.T, ts *httptest.Server, query string, vars map[string]any) string {
	t.Helper()
	resp := as(t, ts, "", query, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("%s: errors %+v", query, resp.Errors)
	}
	b, _ := json.Marshal(resp.Data)
	return string(b)
}

func relVersion(t *testing.T, ts *httptest.Server, id string) int {
	t.Helper()
	var n struct{ Version int }
	decode(t, as(t, ts, "", `query($id: ID!) { node(id: $id) { ... on Relationship { version } } }`, map[string]any{"id": id}), "node", &n)
	if n.Version == 0 {
		t.Fatalf("no relationship %s", id)
	}
	return n.Version
}

func TestHTTPRecordedAtReads(t *testing.T) {
	ts, _ := curationServer(t)
	caused := "china-counterterrorism-law-draft-2014--caused--protests-against-chinese-tech-regulations"
	rv := relVersion(t, ts, caused)
	// The pages read live before the writes: read at a record time between,
	// they must answer the same, order, cursors and counts too.
	pages := []string{
		`entities(kinds: [FIRM], first: 100, recordedAt: $t) { totalCount nodes { id name } }`,
		`entities(where: {nameContains: "o"}, orderBy: {field: NAME, direction: DESC}, first: 7, after: "b2Zmc2V0OjM", recordedAt: $t) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } }`,
		`entities(orderBy: {field: START}, last: 30, recordedAt: $t) { totalCount nodes { id } }`,
		`entities(kinds: [LAW, EVENT], orderBy: {field: START, direction: DESC}, first: 100, recordedAt: $t) { nodes { id } }`,
		`entities(where: {relatedTo: "chinese-cyber-intrusions"}, orderBy: {field: ID}, first: 100, recordedAt: $t) { totalCount nodes { id } }`,
		`timeline(first: 100, recordedAt: $t) { totalCount nodes { id } }`,
		`timeline(kinds: [LAW], where: {startFrom: "2014", startTo: "2015"}, last: 3, before: "b2Zmc2V0OjU", recordedAt: $t) { totalCount nodes { id } }`,
		`timeline(where: {involving: ["china-counterterrorism-law-draft-2014", "lockheed-martin"]}, recordedAt: $t) { totalCount nodes { id } }`,
		`relationships(first: 100, recordedAt: $t) { totalCount nodes { id from { id name } to { id } } }`,
		`relationships(types: [CAUSED, TARGETED, CRITICIZED], where: {asOf: "2015-01"}, first: 100, recordedAt: $t) { totalCount nodes { id } }`,
		`relationships(where: {confidence: [REPORTED]}, last: 5, recordedAt: $t) { totalCount pageInfo { hasPreviousPage } nodes { id } }`,
		`entityCounts(groupBy: KIND, recordedAt: $t) { key count }`,
		`entityCounts(groupBy: YEAR, where: {involving: ["china-counterterrorism-law-draft-2014"]}, recordedAt: $t) { key count }`,
		`relationshipCounts(groupBy: TYPE, recordedAt: $t) { key count }`,
		`relationshipCounts(groupBy: YEAR, types: [CAUSED, CRITICIZED], recordedAt: $t) { key count }`,
		`entity(id: "chinese-cyber-intrusions", recordedAt: $t) { degree { total byType { type count } } }`,
		`entity(id: "lockheed-martin") { degree(direction: OUTGOING, recordedAt: $t) { total byType { type count } } }`,
	}
	pre := make([]string, len(pages))
	for i, q := range pages {
		pre[i] = raw(t, ts, `query($t: Time) { `+q+` }`, nil)
	}
	before := stamp()
	mustWrite := func(field, query string, vars map[string]any) {
		t.Helper()
		var p struct {
			Change     *struct{ ID string }
			UserErrors []struct{ Code, Message string }
		}
		decode(t, as(t, ts, "curator", query, vars), field, &p)
		if len(p.UserErrors) > 0 || p.Change == nil {
			t.Fatalf("%s: %+v", field, p)
		}
	}
	mustWrite("retract", `mutation($v: Int!) { retract(id: "dupont", reason: "a test", expectedVersion: $v) { change { id } userErrors { code message } } }`,
		map[string]any{"v": versionOf(t, ts, "dupont")})
	mustWrite("retract", `mutation($id: ID!, $v: Int!) { retract(id: $id, reason: "a test", expectedVersion: $v) { change { id } userErrors { code message } } }`,
		map[string]any{"id": caused, "v": rv})
	mustWrite("upsertEntity", `mutation($v: Int!) { upsertEntity(input: {id: "lockheed-martin", name: "Zyqox Aerospace (synthetic test name)"}, expectedVersion: $v, reason: "a test") { change { id } userErrors { code message } } }`,
		map[string]any{"v": versionOf(t, ts, "lockheed-martin")})
	mustWrite("upsertRelationship", `mutation { upsertRelationship(input: {type: CRITICIZED, from: "lockheed-martin", to: "nsa", confidence: REPORTED,
		evidence: [{source: "us-china-cybersecurity-brief", locator: "2", quote: "Cybersecurity"}]}, reason: "a synthetic test relationship") { change { id } userErrors { code message } } }`, nil)
	mustWrite("upsertEntity", `mutation($v: Int!) { upsertEntity(input: {id: "china-counterterrorism-law-draft-2014", start: "2015-10"}, expectedVersion: $v, reason: "a synthetic test date") { change { id } userErrors { code message } } }`,
		map[string]any{"v": versionOf(t, ts, "china-counterterrorism-law-draft-2014")})
	after := stamp()

	// at reads query with $t given (a record time) and without (live).
	at := func(query, when string) string {
		t.Helper()
		vars := map[string]any{}
		if when != "" {
			vars["t"] = when
		}
		return raw(t, ts, query, vars)
	}
	type reading struct{ then, after, live string }
	read := func(query string) reading {
		return reading{at(query, before), at(query, after), at(query, "")}
	}

	t.Run("neighborhood", func(t *testing.T) {
		r := read(`query($t: Time) { neighborhood(id: "chinese-cyber-intrusions", recordedAt: $t) { nodes { id name } edges { id to { id name } } } }`)
		if !strings.Contains(r.then, `"to":{"id":"dupont","name":"Dupont"}`) {
			t.Errorf("before the retraction: %s; want the edge to dupont, its end resolved", r.then)
		}
		for _, s := range []string{r.after, r.live} {
			if strings.Contains(s, "dupont") {
				t.Errorf("after the retraction: %s; want no dupont", s)
			}
		}
		if r.after != r.live {
			t.Errorf("after every write, recorded %s, live %s", r.after, r.live)
		}
		if !strings.Contains(r.then, `"name":"Lockheed Martin"`) || !strings.Contains(r.live, "Zyqox") {
			t.Errorf("lockheed-martin's name: then %s, live %s", r.then, r.live)
		}
	})
	t.Run("paths", func(t *testing.T) {
		r := read(`query($t: Time) { paths(from: "lockheed-martin", to: "nsa", maxHops: 1, recordedAt: $t) { edges { type from { name } } } }`)
		if r.then != `{"paths":[]}` || !strings.Contains(r.live, "CRITICIZED") || r.after != r.live {
			t.Errorf("the new relationship: then %s, after %s, live %s", r.then, r.after, r.live)
		}
	})
	t.Run("chain", func(t *testing.T) {
		r := read(`query($t: Time) { chain(from: "china-counterterrorism-law-draft-2014", maxHops: 1, recordedAt: $t) { nodes { id } } }`)
		if !strings.Contains(r.then, "protests-against-chinese-tech-regulations") || strings.Contains(r.live, "protests-against-chinese-tech-regulations") || r.after != r.live {
			t.Errorf("the retracted cause: then %s, after %s, live %s", r.then, r.after, r.live)
		}
	})
	t.Run("search", func(t *testing.T) {
		r := read(`query($t: Time) { searchConnection(text: "Zyqox", recordedAt: $t) { nodes { id } } }`)
		if strings.Contains(r.then, "lockheed-martin") || !strings.Contains(r.live, "lockheed-martin") || r.after != r.live {
			t.Errorf("the new name: then %s, after %s, live %s", r.then, r.after, r.live)
		}
		r = read(`query($t: Time) { searchConnection(text: "Lockheed Martin", recordedAt: $t) { nodes { id name } } }`)
		if !strings.Contains(r.then, `{"id":"lockheed-martin","name":"Lockheed Martin"}`) || strings.Contains(r.live, `"name":"Lockheed Martin"`) {
			t.Errorf("the old name: then %s, live %s", r.then, r.live)
		}
		r = read(`query($t: Time) { search(text: "Dupont", recordedAt: $t) { entity { id } } }`)
		if !strings.Contains(r.then, "dupont") || strings.Contains(r.live, `"dupont"`) {
			t.Errorf("the retracted entity: then %s, live %s", r.then, r.live)
		}
	})
	t.Run("relationshipsConnection", func(t *testing.T) {
		r := read(`query($t: Time) { entity(id: "chinese-cyber-intrusions") { relationshipsConnection(types: [TARGETED], recordedAt: $t, first: 100) { totalCount nodes { to { id } } } } }`)
		if !strings.Contains(r.then, `"to":{"id":"dupont"}`) || strings.Contains(r.live, "dupont") || r.after != r.live {
			t.Errorf("the retracted end: then %s, after %s, live %s", r.then, r.after, r.live)
		}
		// An entity read at a record time reads its relationships then too.
		then := at(`query($t: Time) { entity(id: "dupont", recordedAt: $t) { relationshipsConnection { totalCount nodes { from { id } } } } }`, before)
		if !strings.Contains(then, `"from":{"id":"chinese-cyber-intrusions"}`) {
			t.Errorf("dupont's relationships before its retraction: %s", then)
		}
	})

	t.Run("pages", func(t *testing.T) {
		for i, q := range pages {
			doc := `query($t: Time) { ` + q + ` }`
			r := read(doc)
			if r.then != pre[i] {
				t.Errorf("%s\nrecorded before the writes: %s\nlive before them:          %s", q, r.then, pre[i])
			}
			if r.after != r.live {
				t.Errorf("%s\nrecorded after the writes: %s\nlive:                     %s", q, r.after, r.live)
			}
		}
		// Conditions on entities' relationships other than relatedTo and
		// involving would test today's relationships: refused.
		resp := as(t, ts, "", `query($t: Time) { entities(where: {relationshipsSome: {types: [TARGETED]}}, recordedAt: $t) { totalCount } }`, map[string]any{"t": before})
		if len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, "relationshipsSome") {
			t.Errorf("relationshipsSome at a record time: %+v", resp.Errors)
		}
		// The writes show: a retracted firm, a renamed one, a moved date, a
		// retracted and a new relationship.
		r := read(`query($t: Time) { entities(kinds: [FIRM], first: 100, recordedAt: $t) { nodes { id name } } }`)
		if !strings.Contains(r.then, `{"id":"dupont","name":"Dupont"}`) || strings.Contains(r.live, "dupont") || !strings.Contains(r.live, "Zyqox") {
			t.Errorf("firms: then %s, live %s", r.then, r.live)
		}
		r = read(`query($t: Time) { timeline(where: {startFrom: "2014-11", startTo: "2014-11"}, recordedAt: $t) { nodes { id } } }`)
		if !strings.Contains(r.then, "china-counterterrorism-law-draft-2014") || strings.Contains(r.live, "china-counterterrorism-law-draft-2014") {
			t.Errorf("the moved date: then %s, live %s", r.then, r.live)
		}
		r = read(`query($t: Time) { relationships(types: [CAUSED, CRITICIZED], first: 100, recordedAt: $t) { nodes { id } } }`)
		if !strings.Contains(r.then, caused) || strings.Contains(r.then, "criticized--nsa") || strings.Contains(r.live, caused) || !strings.Contains(r.live, "lockheed-martin--criticized--nsa") {
			t.Errorf("relationships: then %s, live %s", r.then, r.live)
		}
	})

	t.Run("nodes", func(t *testing.T) {
		q := `query($t: Time, $ids: [ID!]!) { nodes(ids: $ids, recordedAt: $t) { id ... on Entity { name } ... on Relationship { type from { id } } } }`
		ids := []any{"dupont", caused, "lockheed-martin"}
		then := raw(t, ts, q, map[string]any{"t": before, "ids": ids})
		if !strings.Contains(then, `{"id":"dupont","name":"Dupont"}`) || !strings.Contains(then, `"from":{"id":"china-counterterrorism-law-draft-2014"}`) || !strings.Contains(then, `"name":"Lockheed Martin"`) {
			t.Errorf("nodes before the writes: %s", then)
		}
		resp := as(t, ts, "", q, map[string]any{"ids": ids})
		if len(resp.Errors) != 2 {
			t.Errorf("nodes live: want the retracted two NOT_FOUND, got %+v", resp.Errors)
		}
		then = raw(t, ts, `query($t: Time) { nodes(ids: ["lockheed-martin--criticized--nsa"], recordedAt: $t) { id } }`, map[string]any{"t": after})
		if then != `{"nodes":[{"id":"lockheed-martin--criticized--nsa"}]}` {
			t.Errorf("the new relationship after its write: %s", then)
		}
	})

	// Equivalence: at a record time after every write, the record-time
	// reads answer what the live reads do.
	now := stamp()
	for _, q := range []string{
		`neighborhood(id: "united-states", maxHops: 2, first: 300, recordedAt: $t) { nodes { id name } edges { id type from { id } to { id } } truncated }`,
		// (not one a hub cuts: there the live read keeps the relationships
		// Neo4j reads first, the record-time read the first by id)
		`neighborhood(id: "nsa", maxHops: 3, first: 1000, recordedAt: $t) { nodes { id } edges { id } truncated }`,
		`neighborhood(id: "china", asOf: "2015-01", confidence: [CONFIRMED, REPORTED], recordedAt: $t) { nodes { id } edges { id } }`,
		`chain(from: "edward-snowden", maxHops: 6, recordedAt: $t) { nodes { id } edges { id } truncated }`,
		`chain(from: "protests-against-chinese-tech-regulations", direction: UPSTREAM, recordedAt: $t) { nodes { id } edges { id } }`,
		`paths(from: "edward-snowden", to: "china", mode: ALL_SHORTEST, first: 50, recordedAt: $t) { length nodes { id } edges { id } }`,
		`paths(from: "nsa", to: "lockheed-martin", maxHops: 3, recordedAt: $t) { length nodes { name } }`,
		`paths(from: "lockheed-martin", to: "china", mode: ALL, maxHops: 3, first: 50, recordedAt: $t) { length edges { id } }`,
		`paths(from: "edward-snowden", to: "china", orderBy: STRENGTH, recordedAt: $t) { strength edges { id } }`,
		`searchConnection(text: "cyber espionage", first: 20, recordedAt: $t) { totalCount edges { score node { id } } }`,
		`searchConnection(text: "$975 million", recordedAt: $t) { edges { score node { id } } }`,
		`entity(id: "china") { relationshipsConnection(direction: OUTGOING, first: 50, recordedAt: $t) { totalCount nodes { id to { name } } } }`,
		`entities(where: {nameContains: "a"}, first: 15, after: "b2Zmc2V0OjQ", recordedAt: $t) { totalCount pageInfo { hasNextPage hasPreviousPage } nodes { id name } }`,
		`entities(orderBy: {field: START, direction: DESC}, last: 20, recordedAt: $t) { totalCount nodes { id start } }`,
		`entities(kinds: [PERSON, AGENCY], where: {involving: ["nsa"]}, orderBy: {field: ID, direction: DESC}, first: 100, recordedAt: $t) { nodes { id } }`,
		`timeline(where: {startFrom: "2013", startTo: "2016-06"}, first: 100, recordedAt: $t) { totalCount nodes { id start } }`,
		`timeline(kinds: [EVENT], last: 10, recordedAt: $t) { totalCount edges { cursor node { id } } }`,
		`nodes(ids: ["china", "lockheed-martin", "lockheed-martin--criticized--nsa", "edward-snowden"], recordedAt: $t) { id ... on Entity { name } ... on Relationship { type to { id } } }`,
		`entityCounts(groupBy: YEAR, recordedAt: $t) { key count }`,
		`relationshipCounts(groupBy: CONFIDENCE, where: {asOf: "2015-06"}, recordedAt: $t) { key count }`,
		`entity(id: "china") { degree(where: {confidence: [CONFIRMED]}, recordedAt: $t) { total byType { type count } } }`,
		`relationships(types: [CAUSED, PROMPTED], first: 100, recordedAt: $t) { totalCount nodes { id from { id } to { name } } }`,
		`relationships(where: {asOf: "2015-06", confidence: [CONFIRMED]}, first: 30, after: "b2Zmc2V0OjI", recordedAt: $t) { totalCount nodes { id } }`,
	} {
		doc := `query($t: Time) { ` + q + ` }`
		recorded, live := at(doc, now), at(doc, "")
		if recorded != live {
			t.Errorf("%s\nrecorded at now: %s\nlive:            %s", q, recorded, live)
		}
	}
}
