package main

import (
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkExport streams each export of the whole synthetic graph (see
// benchServer) over real HTTP and reports its throughput and the largest
// growth of the Go heap while it ran: with streaming it stays flat
// whatever the graph's size. Run:
//
//	BENCH_ENTITIES=20000 BENCH_RELATIONSHIPS=100000 go test -run '^$' -bench Export -benchtime 3x ./server
func BenchmarkExport(b *testing.B) {
	ts, ds := benchServer(b)
	for _, file := range []string{"graph.json", "entities.csv", "relationships.csv", "graph.graphml", "stix.json"} {
		b.Run(file, func(b *testing.B) {
			// The benchmark holds the generated dataset itself; what the
			// export adds is the heap above that. A low GC target keeps the
			// collector's slack (by default as large as the live heap) from
			// passing for the export's own memory.
			defer debug.SetGCPercent(debug.SetGCPercent(5))
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			base := m.HeapInuse
			var peak atomic.Uint64
			peak.Store(base)
			done := make(chan struct{})
			go func() { // sample the heap while the export runs
				var m runtime.MemStats
				for {
					select {
					case <-done:
						return
					case <-time.After(20 * time.Millisecond):
						runtime.ReadMemStats(&m)
						if m.HeapInuse > peak.Load() {
							peak.Store(m.HeapInuse)
						}
					}
				}
			}()
			var n int64
			for b.Loop() {
				resp, err := http.Get(ts.URL + "/export/" + file)
				if err != nil {
					b.Fatal(err)
				}
				n, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d %v", file, resp.StatusCode, err)
				}
			}
			close(done)
			b.SetBytes(n)
			b.ReportMetric(float64(peak.Load()-base)/(1<<20), "heap-growth-MB")
			b.ReportMetric(float64(len(ds.Entities)+len(ds.Relationships))*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
