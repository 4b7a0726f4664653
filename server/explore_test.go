package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The explorer's pages in chromium: what a person does with them, from
// typing a search to following the back button.

// ready waits until the explorer has drawn the page for this URL path.
func (p *page) ready(pathAndQuery string) {
	p.t.Helper()
	p.wait(fmt.Sprintf(`document.getElementById('main').dataset.ready === %s`, jsString(pathAndQuery)))
}

func (p *page) text(js string) string {
	p.t.Helper()
	var s string
	p.eval(js, &s)
	return s
}

func (p *page) clickSelector(sel string) {
	p.t.Helper()
	var pt point
	p.eval(fmt.Sprintf(`(() => { const b = document.querySelector(%s); b.scrollIntoView({block: 'center'});
		const r = b.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`, jsString(sel)), &pt)
	p.click(pt.X, pt.Y)
}

func TestExplorerSearchEntityAndBack(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/explore/")
	p.ready("/explore/")

	// Instant results as one types; the query goes into the URL.
	const typed = "cisco sales decline"
	p.do(chromedp.KeyEvent(typed))
	p.wait(fmt.Sprintf(`document.querySelector('ol.results').dataset.for === %q`, typed))
	first := p.text(`document.querySelector('ol.results li a').getAttribute('href')`)
	if first != "/explore/entity/cisco-china-sales-decline-2013" {
		t.Errorf("first result links to %s, want Cisco's sales decline", first)
	}
	p.screenshot("explorer-search")
	if loc := p.text(`location.pathname + location.search`); loc != "/explore/?q=cisco%20sales%20decline" {
		t.Errorf("URL after typing = %s", loc)
	}

	// The entity page: description, relationships with evidence, the view, the GraphiQL link.
	p.clickSelector(`ol.results li a`)
	p.ready("/explore/entity/cisco-china-sales-decline-2013")
	if h1 := p.text(`document.querySelector('h1').textContent`); !strings.Contains(h1, "Cisco") {
		t.Errorf("entity page title %q", h1)
	}
	if q := p.text(`document.querySelector('.relationships blockquote')?.textContent || ''`); q == "" {
		t.Error("no relationship evidence quoted on the entity page")
	}
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.screenshot("explorer-entity")
	href := p.text(`document.querySelector('a.graphiql').getAttribute('href')`)
	if !strings.HasPrefix(href, "/?query=") || !strings.Contains(href, "cisco-china-sales-decline-2013") {
		t.Errorf("GraphiQL link %q does not carry the entity's query", href)
	}

	// Back returns to the search as it was.
	p.do(chromedp.NavigateBack())
	p.ready("/explore/?q=cisco%20sales%20decline")
	if v := p.text(`document.querySelector('input[type=search]').value`); v != typed {
		t.Errorf("search box after back = %q, want %q", v, typed)
	}
	p.wait(fmt.Sprintf(`document.querySelector('ol.results').dataset.for === %q`, typed))

	// The entity page's link opens its query in GraphiQL.
	p.goTo(href)
	p.wait(`[...document.querySelectorAll('.graphiql-query-editor .CodeMirror-line')].map((l) => l.textContent).join('\n').includes('ExploreEntity')`)
}

func TestExplorerDeepLinks(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)

	// The chain page of the Snowden revelations reaches the Windows 8 ban and Cisco's decline, step by cited step.
	p.goTo("/explore/chain/snowden-revelations")
	p.ready("/explore/chain/snowden-revelations")
	p.wait(`document.querySelectorAll('.steps li').length > 0`)
	steps := p.text(`[...document.querySelectorAll('.steps a')].map((a) => a.getAttribute('href')).join(' ')`)
	for _, id := range []string{"windows-8-procurement-ban", "cisco-china-sales-decline-2013"} {
		if !strings.Contains(steps, "/explore/entity/"+id) {
			t.Errorf("chain page steps do not reach %s: %s", id, steps)
		}
	}
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.screenshot("explorer-chain")
	var uncited int
	p.eval(`[...document.querySelectorAll('.steps li')].filter((li) => !li.querySelector('blockquote')).length`, &uncited)
	if uncited > 0 {
		t.Errorf("%d chain steps without a citation", uncited)
	}

	// The path finder shows every hop with its citation.
	p.goTo("/explore/paths?from=snowden-revelations&to=cisco-china-sales-decline-2013")
	p.ready("/explore/paths?from=snowden-revelations&to=cisco-china-sales-decline-2013")
	var hops, cited int
	p.eval(`document.querySelectorAll('ol.path li').length`, &hops)
	p.eval(`document.querySelectorAll('ol.path li blockquote').length`, &cited)
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.screenshot("explorer-paths")
	if hops == 0 || cited < hops {
		t.Errorf("path finder shows %d hops, %d with a citation", hops, cited)
	}

	// The timeline of 2014 lists 2014's dated entities, in order.
	p.goTo("/explore/timeline?from=2014&to=2014")
	p.ready("/explore/timeline?from=2014&to=2014")
	var starts []string
	p.eval(`[...document.querySelectorAll('ol.timeline li strong')].map((s) => s.textContent)`, &starts)
	var api struct{ Timeline struct{ TotalCount int } }
	postTo(t, ts.URL, `{ timeline(where: {startFrom: "2014", startTo: "2014"}) { totalCount } }`, &api)
	if len(starts) == 0 || len(starts) != min(api.Timeline.TotalCount, 100) {
		t.Errorf("timeline shows %d entities, the API has %d", len(starts), api.Timeline.TotalCount)
	}
	for i, s := range starts {
		if !strings.HasPrefix(s, "2014") || i > 0 && s < starts[i-1][:min(len(s), len(starts[i-1]))] {
			t.Errorf("timeline entry %d starts %s (after %v)", i, s, starts[:i])
			break
		}
	}
}

// A fact's every piece of evidence shows on the entity page, and one that
// both supports and disputes is marked contested.
func TestExplorerShowsAFactsEvidenceAndWhetherContested(t *testing.T) {
	ts, _ := curationServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/explore/entity/opm-breach-2015")
	p.ready("/explore/entity/opm-breach-2015")
	facts := `[...document.querySelectorAll('section')].find((s) => s.querySelector('h2')?.textContent === 'Facts')`
	if n := p.text(`String(` + facts + `.querySelectorAll('blockquote').length)`); n != "1" {
		t.Fatalf("%s quotes on the seeded fact; want its one", n)
	}
	if c := p.text(`String(` + facts + `.querySelectorAll('.contested').length)`); c != "0" {
		t.Errorf("the seeded fact is marked contested")
	}
	var ev struct {
		UserErrors []struct{ Code, Message string }
	}
	decode(t, as(t, ts, "curator", `mutation { addEvidence(input: {target: "opm-breach-2015#people_affected", source: "`+brief+`",
		locator: "¶12", quote: "the US accused China", stance: DISPUTES}, reason: "synthetic explorer test: a disputing quote") {
		userErrors { code message } } }`, nil), "addEvidence", &ev)
	if len(ev.UserErrors) > 0 {
		t.Fatalf("addEvidence: %+v", ev.UserErrors)
	}
	p.goTo("/explore/entity/opm-breach-2015")
	p.ready("/explore/entity/opm-breach-2015")
	if n := p.text(`String(` + facts + `.querySelectorAll('blockquote').length)`); n != "2" {
		t.Errorf("%s quotes on the fact after a disputing one was added; want 2", n)
	}
	if got := p.text(facts + `.textContent`); !strings.Contains(got, "contested") || !strings.Contains(got, "Disputed by") {
		t.Errorf("the facts section does not show the fact contested, disputed by the new quote: %q", got)
	}
}
