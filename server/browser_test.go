package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser tests drive Debian's chromium (CHROMIUM names another binary) over
// the DevTools protocol. With no browser they fail and say how to install
// one; they never skip, so CI cannot pass without running them.

var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserErr  error
)

func chromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium on PATH: install Debian's (apt-get install -y chromium; .ci/run does) or set CHROMIUM to a Chromium binary")
}

// browser starts one headless chromium for the test process; each page is
// a tab in it.
func browser(t testing.TB) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		var path string
		if path, browserErr = chromiumPath(); browserErr != nil {
			return
		}
		alloc, _ := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900))...)
		browserCtx, _ = chromedp.NewContext(alloc)
		_, browserErr = chromedp.Run(browserCtx, chromedp.Evaluate[chromedp.Void]("1"))
	})
	if browserErr != nil {
		t.Fatalf("start chromium: %v", browserErr)
	}
	return browserCtx
}

// page is a browser tab that records what users would notice went wrong:
// console errors, uncaught exceptions, and requests to other origins.
type page struct {
	t        testing.TB
	ctx      context.Context
	origin   string
	allowed  []string // other origins the page may reach, with origin
	mu       sync.Mutex
	problems []string
	requests []string
}

func newPage(t testing.TB, origin string) *page {
	t.Helper()
	p := &page{t: t, origin: origin}
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithListener(p.listen))
	t.Cleanup(cancel)
	// The whole test gets a deadline, so a broken page fails instead of hanging.
	deadline := 2 * time.Minute
	if _, ok := t.(*testing.B); ok {
		deadline = 15 * time.Minute // a benchmark runs its loop several times
	}
	p.ctx, cancel = context.WithTimeout(ctx, deadline)
	t.Cleanup(cancel)
	// Every event bubbling out of the element is counted, for tests to wait on.
	p.do(chromedp.Evaluate[chromedp.Void]("1"))
	p.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: `window.__kg = {events: []};
			for (const type of ['kg-load', 'kg-select', 'kg-edge-select', 'kg-error'])
			  document.addEventListener(type, (e) => window.__kg.events.push({type, id: e.detail.id ?? null,
			    edge: e.detail.edge ? {type: e.detail.edge.type, quotes: (e.detail.edge.evidence || []).map((v) => v.quote)} : null}));`})
		return err
	}))
	t.Cleanup(p.checkClean)
	return p
}

func (p *page) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		p.requests = append(p.requests, ev.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == "error" {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			p.problems = append(p.problems, "console.error: "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		p.problems = append(p.problems, "exception: "+ev.ExceptionDetails.Text+" "+exceptionText(ev.ExceptionDetails))
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// checkClean fails the test on a console error, an exception, or a request
// that left the origin.
func (p *page) checkClean() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.problems {
		p.t.Errorf("page problem: %s", s)
	}
	for _, u := range p.requests {
		ok := strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:")
		for _, o := range append([]string{p.origin}, p.allowed...) {
			ok = ok || strings.HasPrefix(u, o+"/")
		}
		if !ok {
			p.t.Errorf("request left the origin %s: %s", p.origin, u)
		}
	}
}

func (p *page) do(a chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, a); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// eval runs JavaScript in the page and decodes its (awaited) result into out.
func (p *page) eval(js string, out any) {
	p.t.Helper()
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](js, func(ep *runtime.EvaluateParams) { ep.AwaitPromise = ptrTo(true) }))
	if err != nil {
		p.t.Fatalf("eval %s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			p.t.Fatalf("eval %s: decode %s: %v", js, raw, err)
		}
	}
}

// wait polls a JavaScript condition until it holds.
func (p *page) wait(cond string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		// What the page shows helps more than "timeout": its events and the element's status line.
		state, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`JSON.stringify({events: window.__kg?.events,
			status: document.querySelector('kg-relationship-view')?.shadowRoot.querySelector('.status')?.textContent})`))
		p.t.Fatalf("waiting for %s: %v (page state %s)", cond, err, state)
	}
}

// loads is how many times the view has finished drawing.
func (p *page) loads() int {
	var n int
	p.eval(`window.__kg.events.filter((e) => e.type === 'kg-load').length`, &n)
	return n
}

func (p *page) goTo(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.origin + path))
}

// click clicks at a point of the viewport, as a person's mouse would.
func (p *page) click(x, y float64) { p.do(chromedp.MouseClickXY(x, y)) }

func ptrTo[T any](v T) *T { return &v }

// viewGraph is el.graph as a test reads it.
type viewGraph struct {
	Nodes []struct{ ID, Name, Kind string }
	Edges []struct {
		ID, Type, From, To, Confidence, Start string
	}
	Truncated bool
}

func (g viewGraph) nodeIDs() map[string]bool {
	ids := map[string]bool{}
	for _, n := range g.Nodes {
		ids[n.ID] = true
	}
	return ids
}

func (p *page) graph(sel string) viewGraph {
	var g viewGraph
	p.eval(`document.querySelector(`+jsString(sel)+`).graph`, &g)
	return g
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// apiSubgraph asks the API over HTTP what the element should draw.
func apiSubgraph(t *testing.T, ts string, q string) (nodes map[string]bool, edges map[string]bool) {
	t.Helper()
	var data map[string]struct {
		Nodes []struct{ ID string }
		Edges []struct{ ID string }
	}
	postTo(t, ts, q, &data)
	nodes, edges = map[string]bool{}, map[string]bool{}
	for _, g := range data {
		for _, n := range g.Nodes {
			nodes[n.ID] = true
		}
		for _, e := range g.Edges {
			edges[e.ID] = true
		}
	}
	return nodes, edges
}

func postTo(t *testing.T, base, q string, out any) {
	t.Helper()
	resp, err := httpPostJSON(base+"/graphql", map[string]any{"query": q})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Data   json.RawMessage
		Errors []gqlError
	}
	if err := json.Unmarshal(resp, &body); err != nil || len(body.Errors) > 0 {
		t.Fatalf("query %s: %v %+v", q, err, body.Errors)
	}
	if err := json.Unmarshal(body.Data, out); err != nil {
		t.Fatal(err)
	}
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func httpPostJSON(u string, body any) ([]byte, error) {
	b, _ := json.Marshal(body)
	resp, err := http.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// screenshot saves what the page shows as name.png in $SCREENSHOTS (make
// screenshots sets it to docs/screenshots, which the README shows), so the
// pictures come from the same tests and never go stale. Without it, nothing.
func (p *page) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	p.eval(`window.scrollTo(0, 0); new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`, nil)
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	p.saveScreenshot(dir, name, png)
}

// screenshotOf is screenshot of one element of the page (the first sel matches).
func (p *page) screenshotOf(name, sel string) {
	p.t.Helper()
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	p.saveScreenshot(dir, name, png)
}

func (p *page) saveScreenshot(dir, name string, png []byte) {
	p.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}
