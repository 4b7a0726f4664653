package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cyberkg/internal/dbtest"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The element as an app embeds it (web/examples/plain.html), in chromium,
// against the seeded graph over real HTTP.

const viewSel = "kg-relationship-view"

// point is where an element or a node is on screen, in viewport pixels.
type point struct{ X, Y float64 }

// nodeOnScreen is where the drawing shows an entity.
func (p *page) nodeOnScreen(id string) point {
	var pt point
	// Scrolled into view first, as a person would, and a frame later measured.
	p.eval(fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: 'start'})`, viewSel), nil)
	p.eval(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`, nil)
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();
		const n = el._cy.getElementById(%q).renderedPosition();
		return {x: r.left + n.x, y: r.top + n.y}; })()`, viewSel, id), &pt)
	return pt
}

// inShadow is where a control inside the element is on screen.
func (p *page) inShadow(sel string) point {
	var pt point
	p.eval(fmt.Sprintf(`(() => { const b = document.querySelector(%q).shadowRoot.querySelector(%q);
		b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`, viewSel, sel), &pt)
	return pt
}

func TestRelationshipViewDrawsTheChainFromSnowdenLeftToRight(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/examples/plain.html")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)

	g := p.graph(viewSel)
	want, _ := apiSubgraph(t, ts.URL, `{ chain(from: "snowden-revelations", maxHops: 4) { nodes { id } edges { id } } }`)
	if !sameSet(g.nodeIDs(), want) {
		t.Errorf("drawn %v, the API's chain has %v", keys(g.nodeIDs()), keys(want))
	}
	for _, id := range []string{"windows-8-procurement-ban", "cisco-china-sales-decline-2013"} {
		if !g.nodeIDs()[id] {
			t.Errorf("the chain from the Snowden revelations does not reach %s: %v", id, keys(g.nodeIDs()))
		}
	}
	for _, e := range g.Edges {
		if e.Type != "CAUSED" && e.Type != "CONTRIBUTED_TO" && e.Type != "PROMPTED" {
			t.Errorf("chain draws a %s relationship %s; chains follow only causal ones", e.Type, e.ID)
		}
	}
	// Causes on the left, consequences on the right: every drawn edge runs rightwards.
	var leftward []string
	p.eval(fmt.Sprintf(`document.querySelector(%q)._cy.edges().filter((e) => e.source().position('x') >= e.target().position('x')).map((e) => e.id())`, viewSel), &leftward)
	if len(leftward) > 0 {
		t.Errorf("edges drawn right to left: %v", leftward)
	}
	var drawn struct{ Nodes, Edges, ListNodes, ListEdges int }
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		return {nodes: el._cy.nodes().length, edges: el._cy.edges().length,
		        listNodes: el.shadowRoot.querySelectorAll('.list .nodes li').length,
		        listEdges: el.shadowRoot.querySelectorAll('.list .edges li').length}; })()`, viewSel), &drawn)
	if drawn.Nodes != len(g.Nodes) || drawn.Edges != len(g.Edges) || drawn.ListNodes != len(g.Nodes) || drawn.ListEdges != len(g.Edges) {
		t.Errorf("graph has %d entities and %d relationships; drawn %d and %d; text list %d and %d",
			len(g.Nodes), len(g.Edges), drawn.Nodes, drawn.Edges, drawn.ListNodes, drawn.ListEdges)
	}
	var list string
	p.eval(fmt.Sprintf(`document.querySelector(%q).shadowRoot.querySelector('.list').textContent`, viewSel), &list)
	// The app with a relationship chosen: its evidence beside the drawing.
	at := p.inShadow(fmt.Sprintf(`.list [data-edge=%q]`, g.Edges[0].ID))
	p.click(at.X, at.Y)
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-edge-select')`)
	p.screenshot("element-in-app")
	for _, n := range g.Nodes {
		if n.ID == "windows-8-procurement-ban" && !strings.Contains(list, n.Name) {
			t.Errorf("text list lacks %q:\n%s", n.Name, list)
		}
	}
}

func TestRelationshipViewRedrawsNarrowsAndSelects(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/examples/plain.html")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)

	// Changing attributes redraws: Qualcomm's neighbourhood, as the API gives it.
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.mode = 'neighborhood'; el.entity = 'qualcomm'; el.depth = 1; })()`, viewSel), nil)
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 2`)
	all := p.graph(viewSel)
	wantNodes, wantEdges := apiSubgraph(t, ts.URL, `{ neighborhood(id: "qualcomm") { nodes { id } edges { id } } }`)
	if !sameSet(all.nodeIDs(), wantNodes) || len(all.Edges) != len(wantEdges) {
		t.Fatalf("drawn %v (%d edges), the API has %v (%d edges)", keys(all.nodeIDs()), len(all.Edges), keys(wantNodes), len(wantEdges))
	}

	// as-of keeps what was in force then, as the API's asOf does, and the date box shows it.
	const asOf = "2014-12-31"
	p.eval(fmt.Sprintf(`document.querySelector(%q).setAttribute('as-of', %q)`, viewSel, asOf), nil)
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 3`)
	narrowed := p.graph(viewSel)
	_, wantEdges = apiSubgraph(t, ts.URL, `{ neighborhood(id: "qualcomm", asOf: "`+asOf+`") { nodes { id } edges { id } } }`)
	if len(narrowed.Edges) != len(wantEdges) || len(narrowed.Edges) >= len(all.Edges) {
		t.Errorf("as-of %s draws %d relationships; the API has %d in force, of %d in all", asOf, len(narrowed.Edges), len(wantEdges), len(all.Edges))
	}
	var box string
	p.eval(fmt.Sprintf(`document.querySelector(%q).shadowRoot.querySelector('.asof input[type=text]').value`, viewSel), &box)
	if box != asOf {
		t.Errorf("as-of box shows %q, want %q", box, asOf)
	}

	// The element's own controls do the same: "All dates" widens again, a typed date narrows.
	at := p.inShadow(`button[data-act=all]`)
	p.click(at.X, at.Y)
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 4`)
	if g := p.graph(viewSel); len(g.Edges) != len(all.Edges) {
		t.Errorf("after All dates, %d relationships drawn, want %d", len(g.Edges), len(all.Edges))
	}
	at = p.inShadow(`.asof input[type=text]`)
	p.click(at.X, at.Y)
	p.do(chromedp.KeyEvent(asOf + kb.Enter))
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 5`)
	if g, attr := p.graph(viewSel), p.text(`document.querySelector('kg-relationship-view').getAttribute('as-of')`); len(g.Edges) != len(narrowed.Edges) || attr != asOf {
		t.Errorf("typing %s drew %d relationships (as-of=%q), want %d", asOf, len(g.Edges), attr, len(narrowed.Edges))
	}

	// Clicking an entity in the drawing selects it.
	at = p.nodeOnScreen("qualcomm")
	p.click(at.X, at.Y)
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-select' && e.id === 'qualcomm')`)

	// Choosing a relationship in the text list shows its evidence and tells the app.
	edge := narrowed.Edges[0]
	at = p.inShadow(fmt.Sprintf(`.list [data-edge=%q]`, edge.ID))
	p.click(at.X, at.Y)
	p.wait(fmt.Sprintf(`window.__kg.events.some((e) => e.type === 'kg-edge-select' && e.id === %q && e.edge.quotes.length > 0)`, edge.ID))
	var quotes []string
	p.eval(`window.__kg.events.find((e) => e.type === 'kg-edge-select').edge.quotes`, &quotes)
	var panel, picked string
	p.eval(fmt.Sprintf(`document.querySelector(%q).shadowRoot.querySelector('.panel').textContent`, viewSel), &panel)
	p.eval(`document.getElementById('picked').textContent`, &picked)
	if !strings.Contains(panel, quotes[0]) || !strings.Contains(picked, quotes[0]) {
		t.Errorf("evidence %q not shown: panel %q, app %q", quotes[0], panel, picked)
	}

	// The keyboard reaches entities too: focus the drawing, arrow to the first entity by name, Enter.
	first := ""
	p.eval(fmt.Sprintf(`[...document.querySelector(%q).graph.nodes].sort((a, b) => a.name.localeCompare(b.name))[0].id`, viewSel), &first)
	p.eval(fmt.Sprintf(`document.querySelector(%q).shadowRoot.querySelector('.canvas').focus()`, viewSel), nil)
	p.do(chromedp.KeyEvent(kb.ArrowRight))
	p.do(chromedp.KeyEvent(kb.Enter))
	p.wait(fmt.Sprintf(`window.__kg.events.some((e) => e.type === 'kg-select' && e.id === %q)`, first))
}

// An app on another origin embeds the element from this server, which
// allows that origin with -cors-origins; the element reaches only the
// configured endpoint.
func TestRelationshipViewEmbedsFromAnotherOrigin(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	var apiURL string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>app</title>
			<script type="module" src="%[1]s/embed/kg-relationship-view.js"></script>
			<kg-relationship-view endpoint="%[1]s/graphql" entity="qualcomm"></kg-relationship-view>`, apiURL)
	}))
	t.Cleanup(app.Close)
	cfg := testConfig(t)
	cfg.corsOrigins = app.URL
	api := httptest.NewServer(newHandler(s, cfg, newMetrics(), discardLog()))
	t.Cleanup(api.Close)
	apiURL = api.URL

	p := newPage(t, app.URL)
	p.allowed = []string{api.URL}
	p.goTo("/")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	if g := p.graph(viewSel); !g.nodeIDs()["qualcomm"] || len(g.Edges) == 0 {
		t.Errorf("embedded from another origin, the element drew %+v", g)
	}
}

// The examples for React and Vue draw and report selections to their app.
func TestRelationshipViewInReactAndVue(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct{ page, entity string }{{"react.html", "qualcomm"}, {"vue.html", "microsoft"}} {
		t.Run(c.page, func(t *testing.T) {
			p := newPage(t, ts.URL)
			p.goTo("/examples/" + c.page)
			p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
			if g := p.graph(viewSel); !g.nodeIDs()[c.entity] {
				t.Fatalf("%s drew %v, want %s's neighbourhood", c.page, keys(g.nodeIDs()), c.entity)
			}
			at := p.nodeOnScreen(c.entity)
			p.click(at.X, at.Y)
			p.wait(`document.getElementById('chosen').textContent.startsWith('Chosen: ')`)
		})
	}
}

// Hedged claims never look like established ones: each confidence is drawn
// with its own line style, and disputed ones in their own colour.
func TestRelationshipViewDrawsConfidenceApart(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/examples/plain.html")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.mode = 'neighborhood'; el.entity = 'chinese-economic-espionage'; el.depth = 1; })()`, viewSel), nil)
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 2`)
	var drawn []struct{ Confidence, Style, Color string }
	p.eval(fmt.Sprintf(`document.querySelector(%q)._cy.edges().map((e) => ({confidence: e.data('confidence'),
		style: e.style('line-style'), color: e.style('line-color')}))`, viewSel), &drawn)
	want := map[string]string{"CONFIRMED": "solid", "REPORTED": "solid", "INFERRED": "dashed", "ALLEGED": "dashed", "DISPUTED": "dotted"}
	seen := map[string]string{}
	for _, d := range drawn {
		if d.Style != want[d.Confidence] {
			t.Errorf("%s relationship drawn %s, want %s", d.Confidence, d.Style, want[d.Confidence])
		}
		seen[d.Confidence] = d.Color
	}
	if seen["DISPUTED"] == "" || seen["CONFIRMED"] == "" && seen["REPORTED"] == "" {
		t.Fatalf("the neighbourhood should hold disputed and firm relationships; drew %v", drawn)
	}
	if seen["DISPUTED"] == seen["CONFIRMED"] || seen["DISPUTED"] == seen["REPORTED"] {
		t.Errorf("disputed relationships drawn in the same colour as firm ones: %v", seen)
	}
}

// Expanding an entity adds its own neighbourhood to the drawing, as the API
// gives it, keeping what was drawn.
func TestRelationshipViewExpandsAnEntity(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/examples/plain.html")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.mode = 'neighborhood'; el.entity = 'qualcomm'; el.depth = 1; })()`, viewSel), nil)
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 2`)
	before := p.graph(viewSel)

	// With the keyboard: arrows to the entity, E expands it.
	const target = "qualcomm-antitrust-fine"
	var steps int
	p.eval(fmt.Sprintf(`[...document.querySelector(%q).graph.nodes].sort((a, b) => a.name.localeCompare(b.name)).findIndex((n) => n.id === %q) + 1`, viewSel, target), &steps)
	if steps == 0 {
		t.Fatalf("%s is not in Qualcomm's neighbourhood: %v", target, keys(before.nodeIDs()))
	}
	p.eval(fmt.Sprintf(`document.querySelector(%q).shadowRoot.querySelector('.canvas').focus()`, viewSel), nil)
	p.do(chromedp.KeyEvent(strings.Repeat(kb.ArrowRight, steps) + "e"))
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 3`)

	after := p.graph(viewSel)
	added, _ := apiSubgraph(t, ts.URL, `{ neighborhood(id: "`+target+`", first: 50) { nodes { id } edges { id } } }`)
	for id := range before.nodeIDs() {
		added[id] = true
	}
	if !sameSet(after.nodeIDs(), added) {
		t.Errorf("after expanding %s drawn %v, want Qualcomm's and its neighbourhoods %v", target, keys(after.nodeIDs()), keys(added))
	}
	p.wait(fmt.Sprintf(`window.__kg.events.some((e) => e.type === 'kg-select' && e.id === %q)`, target))
}

// A view asked for many entities leaves evidence out of its first request
// (the API's cost limit) and fetches a relationship's when it is chosen.
func TestRelationshipViewFetchesEvidenceOnDemand(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/examples/plain.html")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.mode = 'neighborhood'; el.depth = 1; el.limit = 1000; el.entity = 'qualcomm'; })()`, viewSel), nil)
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 2`)
	var id string
	p.eval(fmt.Sprintf(`document.querySelector(%q).graph.edges.find((e) => !e.evidence).id`, viewSel), &id)
	at := p.inShadow(fmt.Sprintf(`.list [data-edge=%q]`, id))
	p.click(at.X, at.Y)
	p.wait(fmt.Sprintf(`window.__kg.events.some((e) => e.type === 'kg-edge-select' && e.id === %q && e.edge.quotes.length > 0)`, id))
}
