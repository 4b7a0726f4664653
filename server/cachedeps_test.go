package main

import (
	"fmt"
	"strings"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
)

func apiChange(seq int64, items ...kg.ChangeItem) kg.Change {
	return kg.Change{Seq: seq, Origin: "api", Items: items}
}

func entityUpdate(id string, fields ...string) kg.ChangeItem {
	return kg.ChangeItem{Op: kg.OpUpdate, Kind: kg.TargetEntity, Target: id, Fields: fields, Entities: []string{id}}
}

// Which changes leave which answers behind (cachedeps.go), change by change.
func TestChangeIndexLeavesBehindOnlyWhatAChangeCanAlter(t *testing.T) {
	x := newChangeIndex()
	x.restart(10)
	reads := []string{"a", "b"}
	check := func(when string, v int64, reads []string, d dependence, want bool) {
		t.Helper()
		if got := x.valid(v, reads, d); got != want {
			t.Errorf("%s: an answer made at %d reading %v (dependence %d) valid = %v, want %v", when, v, reads, d, got, want)
		}
	}
	check("at the start", 10, reads, onReadAndStructure, true)
	check("before the index's start", 9, reads, onReadAndStructure, false)

	x.apply([]kg.Change{apiChange(11, entityUpdate("c", "description"))})
	check("another entity's description", 10, reads, onReadAndStructure, true)
	check("another entity's description, for an answer on every change", 10, reads, onAll, false)
	check("an answer made since", 11, reads, onAll, true)

	x.apply([]kg.Change{apiChange(12, kg.ChangeItem{Op: kg.OpCreate, Kind: kg.TargetEvidence, Target: "e1", Entities: []string{"a", "z"}})})
	check("evidence on an entity read", 11, reads, onReadAndStructure, false)
	check("evidence elsewhere", 11, []string{"b"}, onReadAndStructure, true)

	x.apply([]kg.Change{apiChange(13, entityUpdate("c", "start"))})
	check("another entity's start (relationships in force move)", 12, []string{"b"}, onReadAndStructure, false)

	x.apply([]kg.Change{apiChange(14, kg.ChangeItem{Op: kg.OpCreate, Kind: kg.TargetRelationship, Target: "r", Entities: []string{"y", "z"}})})
	check("a relationship elsewhere", 13, []string{"b"}, onReadAndStructure, false)
	check("an answer made after it", 14, []string{"b"}, onReadAndStructure, true)

	x.apply([]kg.Change{{Seq: 15, Origin: "seed", Items: []kg.ChangeItem{entityUpdate("c", "description")}}})
	check("a seed reload", 14, []string{"b"}, onReadAndStructure, false)
	check("an answer made after a seed reload", 15, []string{"b"}, onReadAndStructure, true)

	x.apply([]kg.Change{apiChange(16, kg.ChangeItem{Op: kg.OpMerge, Kind: kg.TargetEntity, Target: "c", Entities: []string{"c"}})})
	check("a merge, whatever it names", 15, []string{"b"}, onReadAndStructure, false)

	x.apply([]kg.Change{apiChange(17, entityUpdate("b", "name"))})
	check("a name of an entity read", 16, []string{"b"}, onReadAndStructure, false)
	check("a name elsewhere", 16, []string{"a"}, onReadAndStructure, true)
	check("a name elsewhere, for a page in name order", 16, []string{"a"}, onReadStructureAndNames, false)
	check("a page made after the name", 17, []string{"a"}, onReadStructureAndNames, true)

	x.apply([]kg.Change{apiChange(18, entityUpdate("b", "aliases"))})
	check("another entity's aliases, for a page in name order", 17, []string{"a"}, onReadStructureAndNames, true)
	check("the aliases of an entity a page read", 17, []string{"a", "b", "c"}, onReadStructureAndNames, false)
	if after, behind := x.behind(18); behind || after != 18 {
		t.Errorf("applied up to %d, behind %v; want 18, false", after, behind)
	}
}

// The index keeps at most maxTouched entities of the changes it holds:
// past that it lets the oldest changes go, and leaves behind exactly the
// answers that only those could have altered.
func TestChangeIndexLetsItsOldestChangesGo(t *testing.T) {
	x := newChangeIndex()
	x.restart(0)
	ids := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%06d", prefix, i)
		}
		return out
	}
	big := kg.ChangeItem{Op: kg.OpUpdate, Kind: kg.TargetEntity, Fields: []string{"description"}, Entities: ids("e", maxTouched/2+1)}
	x.apply([]kg.Change{apiChange(1, big), apiChange(2, entityUpdate("z", "description"))})
	if !x.valid(1, []string{"y"}, onReadAndStructure) || x.valid(1, []string{"z"}, onReadAndStructure) {
		t.Fatal("with both changes held, an answer made after the first is checked against the second")
	}
	x.apply([]kg.Change{apiChange(3, big)}) // past maxTouched: change 1 goes
	if x.valid(0, []string{"y"}, onReadAndStructure) {
		t.Error("an answer made before a change the index let go is still served")
	}
	if !x.valid(1, []string{"y"}, onReadAndStructure) {
		t.Error("an answer made after the change let go, touching nothing since, is left behind")
	}
	if x.valid(2, ids("e", 3), onReadAndStructure) {
		t.Error("an answer that read an entity of change 3 is still served")
	}
}

// Served over HTTP, with curation writes through the server: an answer
// that shows nothing a write changed, and does not depend on the graph's
// structure that the write left alone, is still served from the cache;
// every other is made again, and shows the write.
func TestCachedAnswersOutliveWritesThatCannotAlterThem(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	ts := serve(t, s)
	w := newFeedWriter(t, s, ts.URL)
	queries := map[string]string{
		"lookup":       `{ entity(id: "qualcomm") { name relationships(first: 5) { type to { name } } } }`,
		"neighborhood": `{ neighborhood(id: "qualcomm", maxHops: 1, first: 30) { nodes { id name } } }`,
		"the written":  `{ entity(id: "` + feedTestEntity + `") { description } }`,
		"search":       `{ search(text: "qualcomm", first: 3) { entity { id } } }`,
		"a page":       `{ entities(kinds: [FIRM], first: 5) { nodes { id name } } }`,
		"its page":     `{ entities(kinds: [ORGANIZATION], first: 100) { nodes { id description } } }`,
		"timeline":     `{ timeline(first: 5) { totalCount nodes { id name start } } }`,
	}
	ask := func(name string) gqlResponse {
		t.Helper()
		_, resp := post(t, ts, queries[name], nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", name, resp.Errors)
		}
		return resp
	}
	expect := func(when string, cached map[string]bool) {
		t.Helper()
		for name, want := range cached {
			if got := ask(name).Extensions["cached"] == true; got != want {
				t.Errorf("%s: %s served from the cache: %v, want %v", when, name, got, want)
			}
		}
	}
	for name := range queries {
		ask(name)
	}
	expect("asked again", map[string]bool{"lookup": true, "neighborhood": true, "the written": true, "search": true, "a page": true, "its page": true, "timeline": true})
	if page := ask("its page"); !strings.Contains(string(page.Data["entities"]), feedTestEntity) {
		t.Fatalf("the written entity is not on the page of organizations the test relies on: %s", page.Data["entities"])
	}

	w.write() // the synthetic entity's description: no relationship, not in qualcomm's neighbourhood
	if got := ask("the written"); !strings.Contains(string(got.Data["entity"]), fmt.Sprintf("feed test write %d", w.n)) {
		t.Fatalf("after the write, the written entity reads %s", got.Data["entity"])
	}
	expect("after a description's write", map[string]bool{"lookup": true, "neighborhood": true, "the written": true, "search": false,
		"a page": true, "its page": false, "timeline": true})

	// A name orders pages of entities: every page is made again, even of
	// another kind; a lookup elsewhere and the timeline are not.
	p := w.do(`mutation($input: UpsertEntityInput!, $v: Int!) {
		upsertEntity(input: $input, expectedVersion: $v, reason: "cache test: a name orders pages") {
			version change { id } userErrors { path code message } } }`,
		map[string]any{"v": w.version, "input": map[string]any{"id": feedTestEntity, "name": "Synthetic feed test organization, renamed"}}, "upsertEntity")
	w.version = p.Version
	expect("after a name's write", map[string]bool{"a page": false, "its page": false, "lookup": true, "timeline": true})

	p = w.do(`mutation($input: UpsertEntityInput!, $v: Int!) {
		upsertEntity(input: $input, expectedVersion: $v, reason: "cache test: a start date moves what is in force") {
			version change { id } userErrors { path code message } } }`,
		map[string]any{"v": w.version, "input": map[string]any{"id": feedTestEntity, "start": "2016"}}, "upsertEntity")
	w.version = p.Version
	expect("after a start date's write", map[string]bool{"lookup": false, "neighborhood": false, "the written": false, "a page": false, "timeline": false})
	expect("asked once more", map[string]bool{"lookup": true, "neighborhood": true, "the written": true, "a page": true, "timeline": true})
}
