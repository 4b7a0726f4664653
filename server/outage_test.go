package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cyberkg/internal/dbtest"
	"cyberkg/seed"
	"cyberkg/store"
)

// TestNeo4jOutage stops and restarts a real Neo4j while clients keep
// querying the server over HTTP, and checks what a load balancer and a
// client rely on: /readyz turns 503 within 2 s of Neo4j going away; while it
// is down every query is answered 503 SERVICE_UNAVAILABLE with Retry-After
// in well under a second; /readyz is 200 again within 2 s of Neo4j being
// back and queries are answered correctly within 5 s; no request gets any
// other error or hangs.
//
// It starts a Neo4j of its own (scripts/neo4j-start, data in a temporary
// folder, Bolt on NEO4J_OUTAGE_BOLT_PORT or a free port), never the one other tests
// share, and stops it at the end even when the test fails.
func TestNeo4jOutage(t *testing.T) {
	began := time.Now()
	lab := dbtest.NewOwn(t, "NEO4J_OUTAGE_BOLT_PORT")
	lab.Run(t, "neo4j-start")
	seedOwn(t, lab)
	t.Logf("neo4j started and seeded in %v", time.Since(began).Round(time.Millisecond))
	// Served as the server is configured by default: queries bounded by -query-timeout (10 s).
	cfg := testConfig(t)
	cfg.rateLimit = 0 // four clients in a loop from one address are not what this test is about
	cfg.neo4j = store.Config{URI: lab.URI(), User: "neo4j", PasswordFile: filepath.Join(lab.State, "password"),
		QueryTimeout: cfg.neo4j.QueryTimeout, HealthInterval: cfg.neo4j.HealthInterval, HealthTimeout: cfg.neo4j.HealthTimeout}
	s, err := store.Open(context.Background(), cfg.neo4j, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	ts := httptest.NewServer(newHandler(s, cfg, newMetrics(), discardLog()))
	t.Cleanup(ts.Close)

	rec := newOutageRecorder(ts.URL)
	rec.start(4)
	defer rec.stop() // also when a step below fails
	defer func() {
		if t.Failed() {
			rec.logTimeline(t)
		}
	}()

	// A cold database plans each statement on its first use: wait for answers to flow.
	if !rec.waitCorrect(20, 2*time.Minute) {
		t.Fatal("no steady correct answers from the freshly seeded Neo4j in 2 minutes")
	}
	warm := rec.now()
	time.Sleep(time.Second)
	stopBegan := rec.now()
	lab.Run(t, "neo4j-stop")
	stopped := rec.now()
	time.Sleep(2500 * time.Millisecond) // under load while down
	startBegan := rec.now()
	lab.Run(t, "neo4j-start")
	started := rec.now()
	time.Sleep(6 * time.Second) // long enough to see answers come back within 5 s, and stay
	rec.stop()

	q, r := rec.results()
	t.Logf("neo4j stop took %v, start took %v; %d queries, %d readiness checks",
		(stopped - stopBegan).Round(time.Millisecond), (started - startBegan).Round(time.Millisecond), len(q), len(r))

	// No request hung (the client gives up after 15 s, beyond the server's
	// 10 s query timeout) or got anything but a correct answer or a proper 503.
	var bad []string
	for _, x := range q {
		switch {
		case x.err != nil:
			bad = append(bad, fmt.Sprintf("sent at %v: %v", x.sent, x.err))
		case x.status == http.StatusOK && !x.correct:
			bad = append(bad, fmt.Sprintf("sent at %v: 200 with a wrong answer: %s", x.sent, x.body))
		case x.status == http.StatusServiceUnavailable && (x.code != "SERVICE_UNAVAILABLE" || x.retryAfter == ""):
			bad = append(bad, fmt.Sprintf("sent at %v: 503 with code %q, Retry-After %q: %s", x.sent, x.code, x.retryAfter, x.body))
		case x.status != http.StatusOK && x.status != http.StatusServiceUnavailable:
			bad = append(bad, fmt.Sprintf("sent at %v: status %d: %s", x.sent, x.status, x.body))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d queries hung or got neither a correct answer nor a proper 503; the first:\n%s",
			len(bad), len(q), strings.Join(bad[:min(len(bad), 10)], "\n"))
	}
	if before := window(q, warm, stopBegan); len(before) == 0 || !all(before, correct) {
		t.Fatalf("before the outage: %d queries, not all answered correctly", len(before))
	}

	// Readiness follows Neo4j down within 2 s, and stays down while it is.
	down, ok := firstReadiness(r, stopBegan, http.StatusServiceUnavailable)
	if !ok || down > stopped+2*time.Second {
		t.Fatalf("/readyz still 200 2 s after Neo4j stopped (stopped at %v, first 503 at %v)", stopped, down)
	}
	for _, x := range r {
		if x.at > down && x.at < startBegan && x.status != http.StatusServiceUnavailable {
			t.Errorf("/readyz = %d at %v while Neo4j was down", x.status, x.at)
		}
	}

	// While it is known to be down, queries fail fast.
	failFast := window(q, down, startBegan)
	var slowest time.Duration
	for _, x := range failFast {
		slowest = max(slowest, x.took)
		if x.status != http.StatusServiceUnavailable {
			t.Errorf("query sent at %v while Neo4j was down: status %d", x.sent, x.status)
		}
	}
	t.Logf("readiness 503 %v after the stop began (%v after it ended); %d queries while down, slowest %v",
		(down - stopBegan).Round(time.Millisecond), (down - stopped).Round(time.Millisecond), len(failFast), slowest.Round(time.Millisecond))
	if len(failFast) < 20 {
		t.Errorf("only %d queries while Neo4j was down; the test proves little", len(failFast))
	}
	if slowest > 500*time.Millisecond {
		t.Errorf("a query while Neo4j was known to be down took %v, want well under a second", slowest)
	}

	// Back up: ready within 2 s, correct answers within 5 s, and from then on.
	up, ok := firstReadiness(r, startBegan, http.StatusOK)
	if !ok || up > started+2*time.Second {
		t.Fatalf("/readyz not 200 within 2 s of Neo4j starting (started at %v, first 200 at %v)", started, up)
	}
	for _, x := range r {
		if x.at > up && x.status != http.StatusOK {
			t.Errorf("/readyz = %d at %v after Neo4j was back", x.status, x.at)
		}
	}
	var firstCorrect time.Duration = -1
	for _, x := range window(q, startBegan, 1<<62) {
		if x.correct {
			firstCorrect = x.sent + x.took
			break
		}
	}
	t.Logf("after the restart: readiness 200 %v, first correct answer %v after neo4j-start returned",
		(up - started).Round(time.Millisecond), (firstCorrect - started).Round(time.Millisecond))
	after := window(q, max(started+5*time.Second, up+time.Second), 1<<62)
	if len(after) < 20 || !all(after, correct) {
		bad := slices.DeleteFunc(slices.Clone(after), correct)
		t.Errorf("%d queries sent 5 s after Neo4j was back (and 1 s after /readyz said so), %d not answered correctly; first: %+v",
			len(after), len(bad), first(bad))
	}
}

// seedOwn loads the project's seed, with the long timeout a cold database needs
// to plan every statement of it.
func seedOwn(t *testing.T, lab *dbtest.Own) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, lab.Config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApplySchema(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, ds); err != nil {
		t.Fatal(err)
	}
}

// outageRecorder keeps clients querying the server and polling /readyz, and
// records every answer with its time since the recorder began.
type outageRecorder struct {
	url     string
	t0      time.Time
	done    chan struct{}
	stopped sync.Once
	wg      sync.WaitGroup

	mu        sync.Mutex
	queries   []queryResult
	readiness []readinessResult
}

type queryResult struct {
	sent, took time.Duration
	status     int
	code       string // extensions.code of the first error
	retryAfter string
	correct    bool
	body       string
	err        error
}

type readinessResult struct {
	at     time.Duration
	status int
}

func newOutageRecorder(url string) *outageRecorder {
	return &outageRecorder{url: url, t0: time.Now(), done: make(chan struct{})}
}

func (r *outageRecorder) now() time.Duration { return time.Since(r.t0) }

func (r *outageRecorder) start(clients int) {
	client := &http.Client{Timeout: 15 * time.Second} // a hang shows as an error
	const query = `{"query": "{ entity(id: \"china\") { name kind } }"}`
	for range clients {
		r.wg.Go(func() {
			for r.running(20 * time.Millisecond) {
				x := queryResult{sent: r.now()}
				resp, err := client.Post(r.url+"/graphql", "application/json", strings.NewReader(query))
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					var out gqlResponse
					json.Unmarshal(b, &out)
					x.status, x.retryAfter, x.body = resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
					if len(out.Errors) > 0 {
						x.code = fmt.Sprint(out.Errors[0].Extensions["code"])
					}
					x.correct = resp.StatusCode == http.StatusOK && len(out.Errors) == 0 &&
						string(out.Data["entity"]) == `{"name":"China","kind":"STATE"}`
				}
				x.took, x.err = r.now()-x.sent, err
				r.mu.Lock()
				r.queries = append(r.queries, x)
				r.mu.Unlock()
			}
		})
	}
	r.wg.Go(func() {
		for r.running(50 * time.Millisecond) {
			at := r.now()
			resp, err := client.Get(r.url + "/readyz")
			if err != nil {
				continue
			}
			resp.Body.Close()
			r.mu.Lock()
			r.readiness = append(r.readiness, readinessResult{at: at, status: resp.StatusCode})
			r.mu.Unlock()
		}
	})
}

// waitCorrect waits until n queries in a row have been answered correctly.
func (r *outageRecorder) waitCorrect(n int, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		q, _ := r.results()
		if len(q) >= n && all(q[len(q)-n:], correct) {
			return true
		}
	}
	return false
}

// logTimeline shows what clients saw, in half-second steps, to tell why the test failed.
func (r *outageRecorder) logTimeline(t *testing.T) {
	q, rd := r.results()
	const step = 500 * time.Millisecond
	type bucket struct {
		ok, unavailable, other, failed int
		slowest                        time.Duration
		ready                          []int
	}
	buckets := map[time.Duration]*bucket{}
	at := func(d time.Duration) *bucket {
		k := d.Truncate(step)
		if buckets[k] == nil {
			buckets[k] = &bucket{}
		}
		return buckets[k]
	}
	for _, x := range q {
		b := at(x.sent)
		b.slowest = max(b.slowest, x.took)
		switch {
		case x.err != nil:
			b.failed++
		case x.correct:
			b.ok++
		case x.status == http.StatusServiceUnavailable:
			b.unavailable++
		default:
			b.other++
		}
	}
	for _, x := range rd {
		b := at(x.at)
		b.ready = append(b.ready, x.status)
	}
	keys := slices.Sorted(maps.Keys(buckets))
	for _, k := range keys {
		b := buckets[k]
		t.Logf("%8v correct %3d, 503 %3d, other %d, no answer %d, slowest %v; /readyz %v",
			k, b.ok, b.unavailable, b.other, b.failed, b.slowest.Round(time.Millisecond), slices.Compact(b.ready))
	}
}

// running waits d and reports whether the recorder is still on.
func (r *outageRecorder) running(d time.Duration) bool {
	select {
	case <-r.done:
		return false
	case <-time.After(d):
		return true
	}
}

func (r *outageRecorder) stop() {
	r.stopped.Do(func() { close(r.done) })
	r.wg.Wait()
}

// results are the queries in the order they were sent, and the readiness checks.
func (r *outageRecorder) results() ([]queryResult, []readinessResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := slices.Clone(r.queries)
	slices.SortFunc(q, func(a, b queryResult) int { return int(a.sent - b.sent) })
	return q, slices.Clone(r.readiness)
}

// firstReadiness is when /readyz first answered status at or after from.
func firstReadiness(r []readinessResult, from time.Duration, status int) (time.Duration, bool) {
	for _, x := range r {
		if x.at >= from && x.status == status {
			return x.at, true
		}
	}
	return 0, false
}

// window is the queries sent in [from, to).
func window(q []queryResult, from, to time.Duration) []queryResult {
	var out []queryResult
	for _, x := range q {
		if x.sent >= from && x.sent < to {
			out = append(out, x)
		}
	}
	return out
}

func correct(x queryResult) bool { return x.correct }

func all(q []queryResult, ok func(queryResult) bool) bool {
	for _, x := range q {
		if !ok(x) {
			return false
		}
	}
	return true
}

func first(q []queryResult) any {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}
