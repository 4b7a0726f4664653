package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"cyberkg/kg"
)

// POSSIBLE, what the brief says only may happen, is drawn as a possibility:
// dotted and in a colour of its own, not the solid line of a stated fact,
// with a legend entry of its own that carries kg's description.
func TestRelationshipViewDrawsPossibleApartFromConfirmed(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/examples/plain.html")
	p.wait(`window.__kg.events.some((e) => e.type === 'kg-load')`)
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.mode = 'neighborhood'; el.entity = 'us-china-cyber-tension'; el.depth = 1; })()`, viewSel), nil)
	p.wait(`window.__kg.events.filter((e) => e.type === 'kg-load').length >= 2`)
	var drawn []struct{ Confidence, Style, Color string }
	p.eval(fmt.Sprintf(`document.querySelector(%q)._cy.edges().map((e) => ({confidence: e.data('confidence'),
		style: e.style('line-style'), color: e.style('line-color')}))`, viewSel), &drawn)
	seen := map[string]struct{ style, color string }{}
	for _, d := range drawn {
		seen[d.Confidence] = struct{ style, color string }{d.Style, d.Color}
	}
	possible, confirmed := seen["POSSIBLE"], seen["CONFIRMED"]
	if possible.style == "" || confirmed.style == "" {
		t.Fatalf("the neighbourhood should hold POSSIBLE and CONFIRMED relationships; drew %v", drawn)
	}
	if possible.style != "dotted" || confirmed.style != "solid" || possible.color == confirmed.color {
		t.Errorf("POSSIBLE drawn %v, CONFIRMED %v: want dotted in its own colour beside solid", possible, confirmed)
	}

	var legend []struct{ Confidence, LineStyle, Title, Text string }
	p.eval(fmt.Sprintf(`[...document.querySelector(%q).shadowRoot.querySelectorAll('.legend [data-confidence]')].map((s) =>
		({confidence: s.dataset.confidence, lineStyle: s.dataset.lineStyle, title: s.title, text: s.textContent}))`, viewSel), &legend)
	entries := map[string]struct{ style, title string }{}
	for _, l := range legend {
		entries[l.Confidence] = struct{ style, title string }{l.LineStyle, l.Title}
	}
	if len(legend) != len(kg.Confidences) {
		t.Errorf("legend has %d confidence entries, kg has %d levels: %+v", len(legend), len(kg.Confidences), legend)
	}
	for _, c := range kg.Confidences {
		if entries[string(c.Level)].title != c.Description {
			t.Errorf("legend entry of %s says %q, kg says %q", c.Level, entries[string(c.Level)].title, c.Description)
		}
	}
	if entries["POSSIBLE"].style != "dotted" || entries["CONFIRMED"].style != "solid" {
		t.Errorf("legend draws POSSIBLE %q and CONFIRMED %q", entries["POSSIBLE"].style, entries["CONFIRMED"].style)
	}
}

// No page of the explorer, GraphiQL or the examples logs an error to the
// console: not a failed request (the favicon's 404 was one), not an
// exception, not console.error (newPage's own check).
func TestNoPageLogsAConsoleError(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/", "/explore/", "/explore/entity/cisco", "/explore/timeline", "/examples/plain.html"} {
		t.Run(strings.Trim(path, "/"), func(t *testing.T) {
			p := newPage(t, ts.URL)
			var mu sync.Mutex
			var problems []string
			err := chromedp.Listen(p.ctx, func(ev any) {
				mu.Lock()
				defer mu.Unlock()
				switch ev := ev.(type) {
				case *log.EventEntryAdded:
					if ev.Entry.Level == log.EntryLevelError {
						problems = append(problems, "console: "+ev.Entry.Text+" "+ev.Entry.URL)
					}
				case *network.EventResponseReceived:
					if ev.Response.Status >= 400 {
						problems = append(problems, fmt.Sprintf("HTTP %d: %s", ev.Response.Status, ev.Response.URL))
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			p.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Call(ctx, log.Enable, cdp.Empty{})
				return err
			}))
			p.goTo(path)
			// Loaded and settled: the page's own requests are done.
			p.wait(`document.readyState === 'complete'`)
			p.eval(`new Promise((r) => setTimeout(r, 0))`, nil)
			p.wait(`performance.getEntriesByType('resource').every((e) => e.responseEnd > 0)`)
			mu.Lock()
			defer mu.Unlock()
			for _, s := range problems {
				t.Errorf("%s: %s", path, s)
			}
		})
	}
}

// The explorer labels a relationship's confidence with kg's description,
// taken from the element's vocabulary rather than a copy of its own.
func TestExplorerExplainsConfidenceFromTheVocabulary(t *testing.T) {
	ts := newTestServer(t)
	p := newPage(t, ts.URL)
	p.goTo("/explore/entity/us-china-cyber-tension")
	p.ready("/explore/entity/us-china-cyber-tension")
	var spans []struct{ Level, Title string }
	p.eval(`[...document.querySelectorAll('.relationships span.confidence')].map((s) => ({level: s.textContent, title: s.title}))`, &spans)
	meaning := map[string]string{}
	for _, c := range kg.Confidences {
		meaning[string(c.Level)] = c.Description
	}
	levels := map[string]bool{}
	for _, s := range spans {
		levels[s.Level] = true
		if s.Title != meaning[s.Level] {
			t.Errorf("%s is explained as %q, kg says %q", s.Level, s.Title, meaning[s.Level])
		}
	}
	if !levels["POSSIBLE"] || !levels["CONFIRMED"] {
		t.Errorf("the page should show POSSIBLE and CONFIRMED relationships: %v", spans)
	}
}
