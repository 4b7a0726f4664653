package main

import (
	"fmt"
	"testing"
)

// <kg-relationship-view live> redraws when a mutation through the API
// touches what it shows, keeping the selection, with no reload of the page.
func TestLiveRelationshipViewRedrawsAfterAMutation(t *testing.T) {
	ts, _ := curationServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/examples/plain.html")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.eval(fmt.Sprintf(`(() => { window.__kg.loaded = 0; window.__kg.page = Math.random();
		document.addEventListener('kg-change', (e) => window.__kg.events.push({type: 'kg-change', id: e.detail.change.id}));
		const el = document.querySelector(%q);
		el.addEventListener('kg-load', () => window.__kg.loaded++);
		el.mode = 'neighborhood'; el.entity = 'qualcomm'; el.depth = 1; el.live = true; })()`, viewSel), nil)
	p.wait(`window.__kg.loaded >= 1`)
	p.eval(fmt.Sprintf(`document.querySelector(%q).select('qualcomm-antitrust-fine')`, viewSel), nil)
	var page float64
	p.eval(`window.__kg.page`, &page)

	p.wait(fmt.Sprintf(`document.querySelector(%q)._ws?.readyState === 1`, viewSel))
	v := versionOf(t, ts, "qualcomm")
	var out payload
	decode(t, as(t, ts, "curator", `mutation($v: Int!) { upsertEntity(input: {id: "qualcomm", description: "Chipmaker, fined in China in 2015"}, expectedVersion: $v, reason: "live view test") {
		change { id } userErrors { code message } } }`, map[string]any{"v": v}), "upsertEntity", &out)
	if len(out.UserErrors) > 0 || out.Change == nil {
		t.Fatalf("upsertEntity: %+v", out)
	}
	p.wait(fmt.Sprintf(`window.__kg.events.some((e) => e.type === 'kg-change' && e.id === %q) && window.__kg.loaded >= 2`, out.Change.ID))
	var after struct {
		Description, Selected string
		Page                  float64
	}
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		return {description: el.graph.nodes.find((n) => n.id === 'qualcomm').description ?? '',
		        selected: el._cy.$(':selected').id(), page: window.__kg.page}; })()`, viewSel), &after)
	if after.Page != page {
		t.Errorf("the page was reloaded")
	}
	if after.Selected != "qualcomm-antitrust-fine" {
		t.Errorf("selected after the redraw: %q, want qualcomm-antitrust-fine kept", after.Selected)
	}
	if after.Description != "Chipmaker, fined in China in 2015" {
		t.Errorf("the redrawn graph's qualcomm has description %q, want the new one", after.Description)
	}
}
