package main

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// The analysts' questions, each one request on the seeded graph.

func ids(ns []struct{ ID string }) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	slices.Sort(out)
	return out
}

func sameIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// "How strongly does the brief connect the Snowden revelations to Cisco's
// falling sales?": the strongest path goes through the preference for
// indigenous products, two REPORTED hops (0.9 × 0.9), ahead of the path
// through the tightened market (CONFIRMED, then INFERRED: 0.7). Weigh
// REPORTED at 0.5 and the order turns.
func TestStrongestPathFromSnowdenToCiscoSales(t *testing.T) {
	type path struct {
		Strength float64
		Length   int
		Nodes    []struct{ ID string }
		Edges    []struct{ Confidence string }
	}
	var data struct{ Default, Weighed []path }
	query(t, `{
		default: paths(from: "snowden-revelations", to: "cisco-china-sales-decline-2013", mode: ALL, orderBy: STRENGTH, first: 3) {
			strength length nodes { id } edges { confidence } }
		weighed: paths(from: "snowden-revelations", to: "cisco-china-sales-decline-2013", mode: ALL, orderBy: STRENGTH, first: 3,
			weights: [{confidence: REPORTED, weight: 0.5}]) { strength length nodes { id } edges { confidence } }
	}`, &data)
	middle := func(p path) string { return p.Nodes[1].ID }
	if len(data.Default) != 3 || middle(data.Default[0]) != "indigenous-product-preference" || math.Abs(data.Default[0].Strength-0.81) > 1e-9 {
		t.Fatalf("strongest paths: %+v", data.Default)
	}
	if middle(data.Default[1]) != "china-tech-market-tightening" || math.Abs(data.Default[1].Strength-0.7) > 1e-9 {
		t.Errorf("second strongest: %+v", data.Default[1])
	}
	for i := 1; i < len(data.Default); i++ {
		if data.Default[i].Strength > data.Default[i-1].Strength {
			t.Errorf("not strongest first: %+v", data.Default)
		}
	}
	if len(data.Weighed) == 0 || middle(data.Weighed[0]) != "china-tech-market-tightening" {
		t.Errorf("with REPORTED at 0.5 the tightened market should lead: %+v", data.Weighed)
	}
}

// Relationships filtered by claimant, source, confidence and date, on the
// root list and on an entity's connection alike.
func TestRelationshipFilters(t *testing.T) {
	var data struct {
		Claimed struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
		Snowden struct {
			All, Brief, Book, Reported2013 struct{ TotalCount int }
		} `json:"snowden"`
	}
	query(t, `{
		claimed: relationships(where: {claimedBy: ["cisco"]}, first: 10) { totalCount nodes { id } }
		snowden: entity(id: "snowden-revelations") {
			all: relationshipsConnection { totalCount }
			brief: relationshipsConnection(where: {sources: ["us-china-cybersecurity-brief"]}) { totalCount }
			book: relationshipsConnection(where: {sources: ["singer-friedman-book"]}) { totalCount }
			reported2013: relationshipsConnection(confidence: [REPORTED], where: {startFrom: "2013", startTo: "2013"}) { totalCount }
		}
	}`, &data)
	sameIDs(t, "relationships claimed by Cisco", ids(data.Claimed.Nodes),
		"chinese-customers--participated-in--indigenous-product-preference",
		"snowden-revelations--prompted--indigenous-product-preference",
		"indigenous-product-preference--contributed-to--cisco-china-sales-decline-2013")
	if s := data.Snowden; s.All.TotalCount != 11 || s.Brief.TotalCount != 11 || s.Book.TotalCount != 0 || s.Reported2013.TotalCount != 1 {
		t.Errorf("Snowden's relationships: all %d (want 11), quoting the brief %d (11), the book %d (0), REPORTED of 2013 %d (1)",
			s.All.TotalCount, s.Brief.TotalCount, s.Book.TotalCount, s.Reported2013.TotalCount)
	}
}

// Entities by their relationships, as the Neo4j GraphQL Library's
// _SOME/_NONE filters find them.
func TestEntitiesByTheirRelationships(t *testing.T) {
	var data struct {
		Firms, Alleged, NoneAlleged struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
	}
	query(t, `{
		firms: entities(kinds: [FIRM], first: 100, where: {relationshipsSome: {direction: INCOMING, startFrom: "2015",
			other: {relationshipsSome: {types: [ATTRIBUTED_TO, BASED_IN], direction: OUTGOING, other: {ids: ["china"]}}}}}) {
			totalCount nodes { id } }
		alleged: entities(first: 100, where: {relationshipsSome: {direction: INCOMING, confidence: [ALLEGED]}}) { totalCount nodes { id } }
		noneAlleged: entities(kinds: [FIRM], first: 100, where: {ids: ["alcoa", "cisco"], relationshipsNone: {confidence: [ALLEGED]}}) {
			totalCount nodes { id } }
	}`, &data)
	// "Firms affected by something China did after 2014": a cyber-spying
	// operation attributed to China (2015-10) and a fine by regulators based
	// in China (2015-02).
	sameIDs(t, "firms acted on after 2014 by something attributed to or based in China", ids(data.Firms.Nodes),
		"major-us-software-company", "qualcomm")
	// "Entities some claim was made about that the brief marks ALLEGED".
	sameIDs(t, "entities an ALLEGED relationship points at", ids(data.Alleged.Nodes),
		"suspected-chinese-groups", "westinghouse", "solarworld", "us-steel", "ati-technologies", "alcoa", "china", "china-cybersecurity-law")
	sameIDs(t, "of alcoa and cisco, those with no ALLEGED relationship", ids(data.NoneAlleged.Nodes), "cisco")
}

// Counts grouped by kind, type, confidence or year, under the same filters,
// and an entity's degree by type.
func TestAggregates(t *testing.T) {
	type count struct {
		Key   *string
		Count int
	}
	var data struct {
		Stats       struct{ Entities, Relationships int }
		ByKind      []count
		ByConf      []count
		AllegedYear []count
		Cisco       struct {
			Degree struct {
				Total  int
				ByType []struct {
					Type  string
					Count int
				}
			}
		}
	}
	query(t, `{
		stats { entities relationships }
		byKind: entityCounts(groupBy: KIND) { key count }
		byConf: relationshipCounts(groupBy: CONFIDENCE) { key count }
		allegedYear: relationshipCounts(where: {confidence: [ALLEGED]}, groupBy: YEAR) { key count }
		cisco: entity(id: "cisco") { degree { total byType { type count } } }
	}`, &data)
	sum := func(cs []count) (n int) {
		for _, c := range cs {
			n += c.Count
		}
		return
	}
	if sum(data.ByKind) != data.Stats.Entities || sum(data.ByConf) != data.Stats.Relationships {
		t.Errorf("groups add up to %d entities and %d relationships, stats say %d and %d",
			sum(data.ByKind), sum(data.ByConf), data.Stats.Entities, data.Stats.Relationships)
	}
	got := map[string]int{}
	for _, c := range data.ByConf {
		got[*c.Key] = c.Count
	}
	want := map[string]int{"CONFIRMED": 272, "REPORTED": 49, "INFERRED": 46, "POSSIBLE": 24, "ALLEGED": 10, "DISPUTED": 3}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d relationships, want %d", k, got[k], n)
		}
	}
	// "How many alleged intrusions per year?": one dated (the OPM breach,
	// 2015), nine the brief gives no year.
	b, _ := json.Marshal(data.AllegedYear)
	if string(b) != `[{"Key":"2015","Count":1},{"Key":null,"Count":9}]` {
		t.Errorf("ALLEGED by year: %s", b)
	}
	d := data.Cisco.Degree
	if d.Total != 3 || len(d.ByType) != 3 {
		t.Errorf("Cisco's degree: %+v, want 3 of 3 types (PART_OF, AFFECTED, ACCUSED)", d)
	}
}
