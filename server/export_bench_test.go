package main

import (
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkExport streams each export of the whole synthetic graph (see
// benchServer) over real HTTP and reports its throughput and the largest
// Go heap seen while it ran: with streaming, the heap stays flat whatever
// the graph's size. Run:
//
//	BENCH_ENTITIES=20000 BENCH_RELATIONSHIPS=100000 go test -run '^$' -bench Export -benchtime 3x ./server
func BenchmarkExport(b *testing.B) {
	ts, ds := benchServer(b)
	for _, file := range []string{"graph.json", "entities.csv", "relationships.csv", "graph.graphml", "stix.json"} {
		b.Run(file, func(b *testing.B) {
			var peak atomic.Uint64
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
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(len(ds.Entities)+len(ds.Relationships))*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
