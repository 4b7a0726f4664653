package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
)

// BenchmarkRelationshipView1000 measures how long the element takes, in
// chromium, from being given an entity to a drawn, interactive 1,000-entity
// neighbourhood of the synthetic graph (two hops around its best-connected
// entities, limit 1000): the GraphQL request, the layout, and the first
// frame. ms/interactive is wall time, which other work on the machine
// stretches; ms/page-cpu is the CPU time of the page's main thread over the
// same span, which it does not. Reproduce with `make bench-view`, that is:
//
//	BENCH_ENTITIES=5000 BENCH_RELATIONSHIPS=25000 go test -run '^$' -bench RelationshipView -benchtime 5x ./server
//
// Like make bench, it replaces the test database's graph.
func BenchmarkRelationshipView1000(b *testing.B) {
	ts, ds := benchServer(b)
	hubs := byDegree(ds)[:5]
	p := newPage(b, ts.URL)
	p.goTo("/examples/plain.html")
	p.eval(`document.body.innerHTML = '<kg-relationship-view id="view" limit="1000" depth="2" style="--kg-height: 700px"></kg-relationship-view>'`, nil)
	p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, performance.Enable, performance.EnableParams{TimeDomain: performance.EnableTimeDomainThreadTicks})
		return err
	}))
	var total, fetch, draw, cpu float64
	var nodes int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before, cpu0 := p.loads(), p.taskSeconds()
		p.eval(fmt.Sprintf(`document.getElementById('view').entity = %q`, hubs[i%len(hubs)]), nil)
		p.wait(fmt.Sprintf(`window.__kg.events.filter((e) => e.type === 'kg-load').length > %d`, before))
		used := (p.taskSeconds() - cpu0) * 1000
		var r struct {
			Total, Fetch, Draw float64
			Nodes, Edges       int
		}
		p.eval(`(() => { const el = document.getElementById('view'); return {...el.timings, nodes: el.graph.nodes.length, edges: el.graph.edges.length}; })()`, &r)
		b.Logf("%s: %d entities, %d relationships interactive in %.0f ms (fetch %.0f, draw %.0f), page CPU %.0f ms",
			hubs[i%len(hubs)], r.Nodes, r.Edges, r.Total, r.Fetch, r.Draw, used)
		total, fetch, draw, cpu, nodes = total+r.Total, fetch+r.Fetch, draw+r.Draw, cpu+used, nodes+r.Nodes
	}
	n := float64(b.N)
	b.ReportMetric(total/n, "ms/interactive")
	b.ReportMetric(fetch/n, "ms/fetch")
	b.ReportMetric(draw/n, "ms/draw")
	b.ReportMetric(cpu/n, "ms/page-cpu")
	b.ReportMetric(float64(nodes)/n, "nodes")
}

// taskSeconds is the CPU time the page's main thread has spent on tasks.
func (p *page) taskSeconds() float64 {
	p.t.Helper()
	var m performance.GetMetricsResult
	p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		var err error
		m, err = chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
		return err
	}))
	for _, x := range m.Metrics {
		if x.Name == "TaskDuration" {
			return x.Value
		}
	}
	p.t.Fatal("chromium reported no TaskDuration metric")
	return 0
}
