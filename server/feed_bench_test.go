package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"cyberkg/internal/dbtest"
)

// BenchmarkFeed1000Subscribers: 1,000 WebSocket subscribers of one server
// process (started apart, so that its memory is its own) on the test
// Neo4j; reports commit-to-delivery latency over every delivery of
// FEED_BENCH_CHANGES changes (10), the server's resident memory with them
// all connected, and the Cypher round trips per second it makes at rest.
// Each change is a seed reload (commitChange), hundreds of items: the
// subscribers select its seq, id and time, so what is measured is the
// feed's following and fan-out, not the marshalling of those items.
//
//	make bench-feed
//
// It is skipped under the race detector (scripts/test, make bench): its
// 1,000 clients share this process, and instrumented they took several
// times longer to read a change than the server took to send it (p99
// 1,254 ms against 240 ms without).
//
// It also reports the server's CPU time and allocation per delivery while
// delivering (from its /metrics), which a busy machine changes far less
// than it changes latency. FEED_BENCH_PPROF=prefix saves the server's CPU
// profile of that time (prefix.cpu) and its allocation profiles before and
// after (prefix.allocs0, prefix.allocs1: go tool pprof -diff_base).
func BenchmarkFeed1000Subscribers(b *testing.B) {
	if raceDetector {
		b.Skip("the race detector slows this process's 1,000 clients, which the latency would then measure: make bench-feed runs it without")
	}
	const subscribers = 1000
	changes := 10
	if n, err := strconv.Atoi(os.Getenv("FEED_BENCH_CHANGES")); err == nil && n > 0 {
		changes = n
	}
	s, _ := dbtest.Seeded(b)
	addr := freeAddr(b)
	cfg := dbtest.Config(b)
	// The server as deployed: built apart, without the race detector that
	// scripts/test gives the test binary (it slowed the server's delivery
	// several-fold and doubled its memory).
	bin := filepath.Join(b.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-http-addr", addr, "-seed-if-empty=false", "-rate-limit-loopback=false",
		"-feed-max-connections-per-client", "2000")
	profile := os.Getenv("FEED_BENCH_PPROF")
	pprofAddr := ""
	if profile != "" {
		pprofAddr = freeAddr(b)
		cmd.Args = append(cmd.Args, "-pprof-addr", pprofAddr)
	}
	cmd.Env = append(os.Environ(), "NEO4J_URI="+cfg.URI, "NEO4J_USER="+cfg.User,
		"NEO4J_PASSWORD="+cfg.Password, "NEO4J_PASSWORD_FILE="+cfg.PasswordFile, "GOMEMLIMIT="+envOr("FEED_BENCH_GOMEMLIMIT", "96MiB"))
	var serverLog syncBuilder
	cmd.Stderr = &serverLog
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	waitServing(b, addr, &serverLog)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type delivery struct {
		seq int64
		at  time.Time
	}
	deliveries := make(chan delivery, subscribers*changes)
	var ready sync.WaitGroup
	for range subscribers {
		ready.Add(1)
		conn, _, err := websocket.Dial(ctx, "ws://"+addr+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			b.Fatal(err)
		}
		conn.SetReadLimit(-1)
		defer conn.CloseNow()
		write := func(v any) {
			bs, _ := json.Marshal(v)
			conn.Write(ctx, websocket.MessageText, bs)
		}
		write(map[string]any{"type": "connection_init"})
		write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription { changes { seq id at } }`}})
		go func() {
			once := sync.OnceFunc(ready.Done)
			defer once()
			for {
				_, msg, err := conn.Read(ctx)
				if err != nil {
					return
				}
				var m struct {
					Type    string
					Payload struct {
						Data struct{ Changes struct{ Seq int64 } }
					}
				}
				json.Unmarshal(msg, &m)
				switch m.Type {
				case "connection_ack":
					once()
				case "next":
					deliveries <- delivery{m.Payload.Data.Changes.Seq, time.Now()}
				case "ping":
					write(map[string]any{"type": "pong"})
				}
			}
		}()
	}
	ready.Wait()
	time.Sleep(time.Second) // every subscribe registered: live subscriptions have no cursor to wait on

	rss := residentMemory(b, cmd.Process.Pid, "VmRSS")
	before := metricTotal(b, addr, "cyberkg_cypher_queries_total")
	const rest = 10 * time.Second
	time.Sleep(rest)
	atRest := (metricTotal(b, addr, "cyberkg_cypher_queries_total") - before) / rest.Seconds()

	b.ResetTimer()
	cpu0, alloc0 := metricTotal(b, addr, "process_cpu_seconds_total"), metricTotal(b, addr, "go_memstats_alloc_bytes_total")
	var profiled sync.WaitGroup
	if profile != "" {
		saveProfile(b, pprofAddr, "allocs", profile+".allocs0")
		profiled.Go(func() {
			secs := int(float64(changes)*0.3 + 3)
			saveProfile(b, pprofAddr, fmt.Sprintf("profile?seconds=%d", secs), profile+".cpu")
		})
	}
	committed := map[int64]time.Time{}
	for range changes {
		seq := commitChange(b, s)
		committed[seq] = time.Now()
		time.Sleep(300 * time.Millisecond) // apart, so each is measured on its own
	}
	var lat []time.Duration
	perSeq := map[int64]int{}
	timeout := time.After(60 * time.Second)
	for len(lat) < subscribers*changes {
		select {
		case d := <-deliveries:
			if at, ok := committed[d.seq]; ok {
				lat = append(lat, d.at.Sub(at))
				perSeq[d.seq]++
			}
		case <-timeout:
			b.Fatalf("%d of %d deliveries in 60 s (per change: %v); the server's log:\n%s", len(lat), subscribers*changes, perSeq, serverLog.String())
		}
	}
	b.StopTimer()
	cpu := metricTotal(b, addr, "process_cpu_seconds_total") - cpu0
	alloc := metricTotal(b, addr, "go_memstats_alloc_bytes_total") - alloc0
	if profile != "" {
		saveProfile(b, pprofAddr, "allocs", profile+".allocs1")
		profiled.Wait()
	}
	peak := residentMemory(b, cmd.Process.Pid, "VmHWM")
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(float64(rss)/(1<<20), "server-MB")
	b.ReportMetric(float64(peak)/(1<<20), "server-peak-MB")
	b.ReportMetric(atRest, "cypher/s-at-rest")
	delivered := float64(len(lat))
	b.ReportMetric(cpu*1e6/delivered, "server-cpu-µs/delivery")
	b.ReportMetric(alloc/delivered, "server-B/delivery")
	b.Logf("%d subscribers, %d changes: commit to delivery p50 %.1f ms, p99 %.1f ms, max %.1f ms; server RSS %d MB connected, peak %d MB; %.1f Cypher round trips/s at rest; while delivering, server CPU %.0f µs and %.0f bytes allocated per delivery",
		subscribers, changes, p(0.5), p(0.99), p(1), rss>>20, peak>>20, atRest, cpu*1e6/delivered, alloc/delivered)
}

// metricTotal is the sum of a metric's samples on the server's /metrics.
func metricTotal(b *testing.B, addr, name string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var total float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+" ") || strings.HasPrefix(line, name+"{") {
			v, _ := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
			total += v
		}
	}
	return total
}

// saveProfile saves one of the server's /debug/pprof/ profiles to path.
func saveProfile(b *testing.B, addr, name, path string) {
	resp, err := http.Get("http://" + addr + "/debug/pprof/" + name)
	if err != nil {
		b.Error(err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err == nil {
		_, err = io.Copy(f, resp.Body)
		f.Close()
	}
	if err != nil {
		b.Error(err)
	}
}

// residentMemory is a process's resident set size (VmRSS) or its peak
// (VmHWM) in bytes (Linux).
func residentMemory(b *testing.B, pid int, field string) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(field + `:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		b.Fatalf("no %s in /proc/%d/status", field, pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// syncBuilder is a strings.Builder that a process's output may be
// written to while the benchmark reads it.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
