package main

import "testing"

// "Which claims does some source dispute?": the brief has no disputing
// evidence, so the test adds one (a synthetic dispute, said so in its
// reason) through the write service, and curationServer puts the seed back.
// The stance filter then finds it on the root list, on an entity's
// connection, in counts and in entity filters alike.
func TestRelationshipFilterByStance(t *testing.T) {
	ts, _ := curationServer(t)
	const disputed = "snowden-revelations--prompted--indigenous-product-preference"
	var added payload
	decode(t, as(t, ts, "curator", `mutation {
		addEvidence(input: {target: "`+disputed+`", source: "us-china-cybersecurity-brief", locator: "¶2",
			quote: "Cybersecurity is of vital importance", stance: DISPUTES},
			reason: "synthetic test data: a made-up dispute for the stance filter") { version userErrors { path code message } }
	}`, nil), "addEvidence", &added)
	if len(added.UserErrors) > 0 {
		t.Fatalf("addEvidence refused: %+v", added.UserErrors)
	}

	var data struct {
		Disputes, Supports struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
		Snowden struct {
			Disputes, Supports struct{ TotalCount int }
		}
		Counts    []struct{ Count int }
		Some      struct{ Nodes []struct{ ID string } }
		NoneOfTwo struct{ Nodes []struct{ ID string } }
	}
	resp := as(t, ts, "", `{
		disputes: relationships(where: {stance: DISPUTES}, first: 10) { totalCount nodes { id } }
		supports: relationships(where: {stance: SUPPORTS}, first: 1) { totalCount }
		snowden: entity(id: "snowden-revelations") {
			disputes: relationshipsConnection(where: {stance: DISPUTES}) { totalCount }
			supports: relationshipsConnection(where: {stance: SUPPORTS}) { totalCount }
		}
		counts: relationshipCounts(where: {stance: DISPUTES}, groupBy: CONFIDENCE) { count }
		some: entities(first: 10, where: {relationshipsSome: {stance: DISPUTES}}) { nodes { id } }
		noneOfTwo: entities(first: 10, where: {ids: ["snowden-revelations", "cisco"], relationshipsNone: {stance: DISPUTES}}) { nodes { id } }
	}`, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	for field, out := range map[string]any{"disputes": &data.Disputes, "supports": &data.Supports, "snowden": &data.Snowden,
		"counts": &data.Counts, "some": &data.Some, "noneOfTwo": &data.NoneOfTwo} {
		decode(t, resp, field, out)
	}
	sameIDs(t, "relationships some evidence disputes", ids(data.Disputes.Nodes), disputed)
	// The disputed relationship still has its supporting quote: it counts
	// under both stances (contested).
	var all struct{ Relationships int }
	decode(t, as(t, ts, "", `{ stats { relationships } }`, nil), "stats", &all)
	if data.Supports.TotalCount != all.Relationships {
		t.Errorf("%d relationships with supporting evidence, want every one (%d)", data.Supports.TotalCount, all.Relationships)
	}
	if s := data.Snowden; s.Disputes.TotalCount != 1 || s.Supports.TotalCount != 11 {
		t.Errorf("Snowden's relationships: %d disputed (want 1), %d supported (want 11)", s.Disputes.TotalCount, s.Supports.TotalCount)
	}
	n := 0
	for _, c := range data.Counts {
		n += c.Count
	}
	if n != 1 {
		t.Errorf("relationshipCounts of disputed: %d, want 1", n)
	}
	sameIDs(t, "entities with a disputed relationship", ids(data.Some.Nodes), "snowden-revelations", "indigenous-product-preference")
	sameIDs(t, "of Snowden and Cisco, those with no disputed relationship", ids(data.NoneOfTwo.Nodes), "cisco")
}
