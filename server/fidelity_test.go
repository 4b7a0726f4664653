package main

import (
	"strings"
	"testing"
)

// Issue 11: what the brief says of a law's life, of what may follow and of
// the groups it describes is data that queries reach, not description text.

// The Cybersecurity Law's stages are on the timeline in order, each with the
// brief's own precision, and asOf says whether it was in force: approved in
// November 2016, in effect only from June 2017.
func TestCybersecurityLawStagesAndInForce(t *testing.T) {
	var tl struct {
		Timeline struct{ Nodes []node }
	}
	query(t, `{ timeline(involving: ["china-cybersecurity-law"], first: 100) { nodes { id start } } }`, &tl)
	want := []struct{ id, start string }{
		{"china-cybersecurity-law-draft-2015", "2015-07"},
		{"china-cybersecurity-law", "2016-11"},
		{"china-cybersecurity-law-takes-effect-2017", "2017-06"},
	}
	at := -1
	for _, w := range want {
		i := indexOf(tl.Timeline.Nodes, w.id)
		if i < 0 {
			t.Fatalf("timeline of the law misses %s: %+v", w.id, tl.Timeline.Nodes)
		}
		if got := tl.Timeline.Nodes[i].Start; got != w.start {
			t.Errorf("%s starts %q, want %q as the brief gives it", w.id, got, w.start)
		}
		if i < at {
			t.Errorf("%s is before the stage that precedes it", w.id)
		}
		at = i
	}

	for _, tt := range []struct {
		law, asOf string
		inForce   bool
	}{
		{"china-cybersecurity-law", "2016-11", false}, // approved, not yet in effect
		{"china-cybersecurity-law", "2017-05-31", false},
		{"china-cybersecurity-law", "2017", false}, // a year means its first day
		{"china-cybersecurity-law", "2017-06", true},
		{"china-cybersecurity-law", "2018-01-15", true},
		{"china-banking-it-regulations-2015", "2014-12", false},
		{"china-banking-it-regulations-2015", "2015-02", true},
		{"china-banking-it-regulations-2015", "2015-04", false}, // suspended in April 2015
	} {
		var data struct {
			Entity struct {
				Relationships []struct {
					To       node
					Evidence []struct{ Locator, Quote string }
				}
			}
		}
		query(t, `{ entity(id: "`+tt.law+`") { relationships(types: [IN_FORCE_IN], direction: OUTGOING, asOf: "`+tt.asOf+`") {
			to { id } evidence { locator quote } } } }`, &data)
		rels := data.Entity.Relationships
		if got := len(rels) == 1 && rels[0].To.ID == "china"; got != tt.inForce || len(rels) > 1 {
			t.Errorf("%s asOf %s: in force %v (%+v), want %v", tt.law, tt.asOf, got, rels, tt.inForce)
		}
		for _, r := range rels {
			if len(r.Evidence) == 0 || r.Evidence[0].Quote == "" {
				t.Errorf("%s: in-force relationship without evidence", tt.law)
			}
		}
	}
}

func indexOf(nodes []node, id string) int {
	for i, n := range nodes {
		if n.ID == id {
			return i
		}
	}
	return -1
}

// edgeTo returns the edge of g that ends at id, if any.
func (g subgraph) edgeTo(id string) (edge, bool) {
	for _, e := range g.Edges {
		if e.To.ID == id {
			return e, true
		}
	}
	return edge{}, false
}

// What the recommendations may bring about is reachable by chain, hedged as
// POSSIBLE with the brief's words, and left out when only firmer levels are
// asked for.
func TestChainShowsAndFiltersWhatTheRecommendationsMayBringAbout(t *testing.T) {
	for _, tt := range []struct{ from, to, quote string }{
		{"recommendation-4", "retaliation-against-sanctions", "economic sanctions could lead to retaliation"},
		{"recommendation-4", "chinese-caution-on-cybersecurity-decisions", "will be more cautious"},
		{"recommendation-2", "us-china-trust-restoration", "to build mutual trust"},
		{"recommendation-2", "chinese-suspicion-decrease", "may decrease the suspicions"},
	} {
		var all struct{ Chain subgraph }
		query(t, `{ chain(from: "`+tt.from+`") { nodes { id } edges { `+edgeFields+` } } }`, &all)
		e, ok := all.Chain.edgeTo(tt.to)
		if !ok {
			t.Errorf("chain from %s does not reach %s: %+v", tt.from, tt.to, all.Chain.Nodes)
			continue
		}
		checkEvidence(t, []edge{e})
		if e.Confidence != "POSSIBLE" || !strings.Contains(e.Evidence[0].Quote, tt.quote) {
			t.Errorf("%s → %s: %s %+v, want POSSIBLE quoting %q", tt.from, tt.to, e.Confidence, e.Evidence, tt.quote)
		}

		var firm struct{ Chain subgraph }
		query(t, `{ chain(from: "`+tt.from+`", confidence: [CONFIRMED, REPORTED, ALLEGED, DISPUTED, INFERRED]) { nodes { id } edges { `+edgeFields+` } } }`, &firm)
		if firm.Chain.has(tt.to) {
			t.Errorf("chain from %s without POSSIBLE still reaches %s", tt.from, tt.to)
		}
	}

	// Leaving POSSIBLE out keeps what the brief holds did follow: the law
	// undermines Internet freedom (stated), and only may isolate Chinese
	// companies (a letter's warning).
	var all, firm struct{ Chain subgraph }
	q := `{ chain(from: "china-cybersecurity-law", maxHops: 1%s) { nodes { id } edges { ` + edgeFields + ` } } }`
	query(t, strings.Replace(q, "%s", "", 1), &all)
	query(t, strings.Replace(q, "%s", ", confidence: [CONFIRMED, INFERRED]", 1), &firm)
	for _, id := range []string{"internet-freedom-erosion", "chinese-companies-isolation"} {
		if !all.Chain.has(id) {
			t.Errorf("unfiltered chain from the law misses %s", id)
		}
	}
	if !firm.Chain.has("internet-freedom-erosion") || firm.Chain.has("chinese-companies-isolation") {
		t.Errorf("chain with confidence [CONFIRMED, INFERRED]: %+v", firm.Chain.Nodes)
	}
	for _, e := range firm.Chain.Edges {
		if e.Confidence != "CONFIRMED" && e.Confidence != "INFERRED" {
			t.Errorf("filtered chain returned a %s edge %s → %s", e.Confidence, e.From.ID, e.To.ID)
		}
	}

	ts := newTestServer(t)
	status, resp := post(t, ts, `{ chain(from: "recommendation-4", confidence: [MAYBE]) { nodes { id } } }`, nil)
	if status != 422 || len(resp.Errors) == 0 || !strings.Contains(resp.Errors[0].Message, "MAYBE") {
		t.Errorf("unknown confidence: status %d, errors %+v", status, resp.Errors)
	}
}

// The groups the brief describes rather than names are entities, named in
// its words, reached from what was done to them or what they did.
func TestDescribedGroupsAreReachable(t *testing.T) {
	for _, tt := range []struct {
		from, typ, to, confidence, name, quote string
	}{
		{"us-sanctions-package-2015", "TARGETED", "chinese-beneficiaries-of-economic-espionage", "CONFIRMED",
			"Chinese companies and individuals that had benefitted from the government backed economic espionage", "economic sanctions against Chinese companies and individuals"},
		{"chinese-intrusion-decline", "ATTRIBUTED_TO", "suspected-chinese-groups", "ALLEGED", "Suspected Chinese groups", "suspected Chinese groups"},
		{"back-door-installation", "ATTRIBUTED_TO", "suspected-chinese-groups", "ALLEGED", "Suspected Chinese groups", "suspected Chinese groups"},
		{"china-banking-it-regulations-2015", "AFFECTED", "tech-companies-selling-to-chinese-banks", "POSSIBLE", "Tech companies that sell to Chinese banks", "will eventually require all tech companies that sell to Chinese banks"},
	} {
		var data struct {
			Entity struct {
				Relationships []struct {
					ID, Confidence string
					To             struct{ ID, Name string }
					Evidence       []struct{ Locator, Quote string }
				}
			}
		}
		query(t, `{ entity(id: "`+tt.from+`") { relationships(types: [`+tt.typ+`], direction: OUTGOING) {
			id confidence to { id name } evidence { locator quote } } } }`, &data)
		found := false
		for _, r := range data.Entity.Relationships {
			if r.To.ID != tt.to {
				continue
			}
			found = true
			if r.Confidence != tt.confidence || r.To.Name != tt.name || len(r.Evidence) == 0 || !strings.Contains(r.Evidence[0].Quote, tt.quote) {
				t.Errorf("%s -%s-> %s: %+v", tt.from, tt.typ, tt.to, r)
			}
		}
		if !found {
			t.Errorf("%s has no %s relationship to %s: %+v", tt.from, tt.typ, tt.to, data.Entity.Relationships)
		}
	}

	var s struct {
		Search []struct{ Entity node }
	}
	query(t, `{ search(text: "suspected Chinese groups", first: 3) { entity { id } } }`, &s)
	if len(s.Search) == 0 || s.Search[0].Entity.ID != "suspected-chinese-groups" {
		t.Errorf("search for the brief's words does not find the group first: %+v", s.Search)
	}
}
