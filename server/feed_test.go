package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/seed"
	"cyberkg/store"
)

// commitChange commits one large change (a seed reload, hundreds of items)
// through the write path that records it in the change log, leaving the
// graph as it was (the seed made equal to itself), and returns the log's new
// head: for the tests that need big changes (a slow consumer's socket fills
// up) or none in particular. The contract's scenarios write with mutations
// (feedWriter).
func commitChange(t testing.TB, s *store.Store) int64 {
	t.Helper()
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	ctx := kg.NewContextWithActor(context.Background(), kg.Actor{ID: "key:feedtest0000", Name: "feed test", Role: kg.RoleAdmin})
	if err := s.Replace(ctx, ds); err != nil {
		t.Fatal(err)
	}
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// feedEvent is a line the node client prints.
type feedEvent struct {
	Subscribed bool   `json:"subscribed"`
	Error      string `json:"error"`
	Seq        int64  `json:"seq"`
	Cursor     string `json:"cursor"`
	ID         string `json:"id"`
	MS         int64  `json:"ms"`
	Ping       bool   `json:"ping"`
	Code       int    `json:"code"`
}

// feedClient is the node client of testdata/feed following the feed.
type feedClient struct {
	cmd    *exec.Cmd
	events chan feedEvent
	stderr *strings.Builder
}

func nodeFeedDir(t *testing.T) (node, dir string) {
	t.Helper()
	dir, _ = filepath.Abs("testdata/feed")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules", "graphql-ws")); err != nil || statErr != nil {
		if os.Getenv("REQUIRE_AUDIT") != "" {
			t.Fatalf("the feed clients need node and `make audit-deps` (node: %v; graphql-ws: %v)", err, statErr)
		}
		t.Skip("node or graphql-ws missing: run `make audit-deps`")
	}
	return node, dir
}

// pythonFeed is the Python of the notebooks' environment (make venv), with gql.
func pythonFeed(t *testing.T) (python, dir string) {
	t.Helper()
	dir, _ = filepath.Abs("testdata/feed")
	python, _ = filepath.Abs("../.venv/bin/python")
	if err := exec.Command(python, "-c", "import gql.transport.websockets").Run(); err != nil {
		if os.Getenv("REQUIRE_AUDIT") != "" {
			t.Fatalf("the Python feed client needs `make venv` with gql[websockets]: %v", err)
		}
		t.Skip("no .venv with gql: run `make venv`")
	}
	return python, dir
}

// follow starts the node client (transport "ws" or "sse") for count events
// after cursor after ("" for live only), and waits until it is connected.
func follow(t *testing.T, transport, url string, count int, after, auth string) *feedClient {
	t.Helper()
	return followEnv(t, nil, transport, url, count, after, auth)
}

// followEnv is follow with the client's environment extended by env.
func followEnv(t *testing.T, env []string, transport, url string, count int, after, auth string) *feedClient {
	t.Helper()
	var cmd *exec.Cmd
	if transport == "py" {
		py, dir := pythonFeed(t)
		cmd = exec.Command(py, "follow.py", url+"/graphql", strconv.Itoa(count), after)
		cmd.Dir = dir
	} else {
		node, dir := nodeFeedDir(t)
		cmd = exec.Command(node, "client.mjs", transport, url+"/graphql", strconv.Itoa(count), after, auth)
		cmd.Dir = dir
	}
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &feedClient{cmd: cmd, events: make(chan feedEvent, 100), stderr: &strings.Builder{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var e feedEvent
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				e.Error = "not JSON: " + sc.Text()
			}
			c.events <- e
		}
	}()
	if e := c.next(t); !e.Subscribed {
		t.Fatalf("client did not connect: %+v %s", e, c.stderr)
	}
	return c
}

// next is the client's next line; the test fails if it ends or errs first.
func (c *feedClient) next(t *testing.T) feedEvent {
	t.Helper()
	select {
	case e, ok := <-c.events:
		if !ok {
			t.Fatalf("the client ended: %s", c.stderr)
		}
		if e.Error != "" {
			t.Fatalf("client error: %s", e.Error)
		}
		return e
	case <-time.After(30 * time.Second):
		t.Fatalf("no event from the client in 30 s: %s", c.stderr)
	}
	return feedEvent{}
}

// wait waits for the client to exit, as it does after its count.
func (c *feedClient) wait(t *testing.T) {
	t.Helper()
	for e := range c.events {
		t.Errorf("unexpected line from the client: %+v", e)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("client exit: %v %s", err, c.stderr)
	}
}

func feedServer(t *testing.T, cfg config) (*httptest.Server, *store.Store) {
	t.Helper()
	s, _ := dbtest.Seeded(t)
	m := newMetrics()
	t.Cleanup(func() { waitFeedIdle(t, m) })
	ts := httptest.NewServer(newHandler(s, cfg, m, discardLog()))
	t.Cleanup(ts.Close)
	return ts, s
}

// waitFeedIdle waits, once the test's server is closed, until its feed
// holds no connection or subscription and has stopped following the log:
// the WebSocket and SSE connections are hijacked, so closing the server
// does not wait for them, and a connection or the poller still reading the
// store when the test's store closes would race with the driver's pool.
func waitFeedIdle(t *testing.T, m *metrics) {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		open := 0.0
		families, _ := m.registry.Gather()
		for _, f := range families {
			if n := f.GetName(); n == "cyberkg_feed_connections" || n == "cyberkg_feed_subscriptions" || n == "cyberkg_feed_following" {
				for _, g := range f.GetMetric() {
					open += g.GetGauge().GetValue()
				}
			}
		}
		if open == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("the feed still had connections or subscriptions 15 s after its server closed")
}

// The scenario with graphql-ws, graphql-sse and Python's gql: an
// event for a curator's mutation within a second; disconnect; three
// mutations missed; reconnect with after: exactly those three, in order,
// then a live one.
func TestFeedResumesWithClientsOthersWrote(t *testing.T) {
	for _, transport := range []string{"ws", "sse", "py"} {
		t.Run(transport, func(t *testing.T) {
			ts, s := feedServer(t, testConfig(t))
			w := newFeedWriter(t, s, ts.URL)
			head, err := s.Head(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// After the head: nothing is missed between connecting and the write.
			c := follow(t, transport, ts.URL, 1, strconv.FormatInt(head, 10), "")
			seq := w.write()
			committed := time.Now()
			e := c.next(t)
			if e.Seq != seq || e.Cursor != strconv.FormatInt(seq, 10) || e.ID != fmt.Sprintf("change-%d", seq) {
				t.Fatalf("event %+v, want change %d", e, seq)
			}
			if d := time.UnixMilli(e.MS).Sub(committed); d > time.Second {
				t.Errorf("the event came %s after the commit, want within a second", d)
			}
			t.Logf("%s: commit to delivery %d ms", transport, e.MS-committed.UnixMilli())
			c.wait(t) // it disconnects after its one event

			var missed []int64
			for range 3 {
				missed = append(missed, w.write())
			}
			c = follow(t, transport, ts.URL, 4, e.Cursor, "")
			for i, want := range missed {
				if e := c.next(t); e.Seq != want {
					t.Fatalf("resumed event %d: seq %d, want %d", i, e.Seq, want)
				}
			}
			live := w.write()
			if e := c.next(t); e.Seq != live {
				t.Fatalf("live event after resuming: seq %d, want %d", e.Seq, live)
			}
			c.wait(t)
		})
	}
}

// A cursor the log does not reach is refused, saying so.
func TestFeedRefusesCursorsItCannotServe(t *testing.T) {
	ts, s := feedServer(t, testConfig(t))
	head := commitChange(t, s)
	node, dir := nodeFeedDir(t)
	for _, tt := range []struct{ after, msg string }{
		{strconv.FormatInt(head+1000, 10), "is not in the log yet"},
		{"yesterday", "is not a change cursor"},
	} {
		out, _ := exec.Command(node, filepath.Join(dir, "client.mjs"), "ws", ts.URL+"/graphql", "1", tt.after).Output()
		if !strings.Contains(string(out), tt.msg) {
			t.Errorf("after %q: %s, want %q", tt.after, out, tt.msg)
		}
	}
}

// A second server process on the same Neo4j delivers the mutations made
// through this one: the feed follows the log, not this process.
func TestFeedFollowsWritesOfAnotherServer(t *testing.T) {
	ts, s := feedServer(t, testConfig(t))
	w := newFeedWriter(t, s, ts.URL)
	addr := freeAddr(t)
	cfg := dbtest.Config(t)
	cmd := exec.Command(os.Args[0], "-http-addr", addr, "-seed-if-empty=false")
	cmd.Env = append(os.Environ(), "CYBERKG_TEST_RUN_MAIN=1", "NEO4J_URI="+cfg.URI, "NEO4J_USER="+cfg.User,
		"NEO4J_PASSWORD="+cfg.Password, "NEO4J_PASSWORD_FILE="+cfg.PasswordFile)
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	waitServing(t, addr, &logs)

	head, _ := s.Head(context.Background())
	c := follow(t, "ws", "http://"+addr, 2, strconv.FormatInt(head, 10), "")
	first, second := w.write(), w.write()
	if e := c.next(t); e.Seq != first {
		t.Fatalf("other server's event: %+v, want %d", e, first)
	}
	if e := c.next(t); e.Seq != second {
		t.Fatalf("other server's event: %+v, want %d", e, second)
	}
	c.wait(t)
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitServing(t testing.TB, addr string, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the second server never listened on %s:\n%s", addr, logs)
}

// A consumer that stops reading is cut off once it is -feed-buffer changes
// behind, while a fast one on another connection keeps receiving every
// change promptly: the poller never waits for anyone.
func TestFeedCutsOffASlowConsumer(t *testing.T) {
	cfg := testConfig(t)
	cfg.feed.buffer = 4
	// The slow client reads nothing, so it never answers a ping: at the
	// default keep-alive it was dropped as gone after 30 s, before a busy
	// machine had committed the changes that fill its buffer.
	cfg.feed.keepAlive = time.Hour
	s, _ := dbtest.Seeded(t)
	m := newMetrics()
	t.Cleanup(func() { waitFeedIdle(t, m) })
	ts := httptest.NewServer(newHandler(s, cfg, m, discardLog()))
	t.Cleanup(ts.Close)
	head, _ := s.Head(context.Background())

	// The slow one: 20 subscriptions of everything on a socket with a small
	// receive buffer, never read.
	dialer := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	ctx := context.Background()
	slow, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/graphql", &websocket.DialOptions{
		HTTPClient:   &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}},
		Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	slow.SetReadLimit(-1)
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := slow.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "connection_init"})
	if _, ack, err := slow.Read(ctx); err != nil || !strings.Contains(string(ack), "connection_ack") {
		t.Fatalf("connection_init: %s %v", ack, err)
	}
	for i := range 20 {
		send(map[string]any{"id": strconv.Itoa(i), "type": "subscribe", "payload": map[string]any{
			"query": `subscription { changes { id seq at reason items { op kind target version fields entities relType } } }`}})
	}

	fast := follow(t, "ws", ts.URL, 1000, strconv.FormatInt(head, 10), "")
	var worst time.Duration
	var delays []time.Duration
	cutOff := false
	for i := 0; i < 40 && !cutOff; i++ {
		seq := commitChange(t, s)
		committed := time.Now()
		e := fast.next(t)
		if e.Seq != seq {
			t.Fatalf("fast consumer: seq %d, want %d", e.Seq, seq)
		}
		d := time.UnixMilli(e.MS).Sub(committed)
		worst = max(worst, d)
		delays = append(delays, d.Round(time.Millisecond))
		cutOff = metricValue(t, m, "cyberkg_feed_slow_consumers_total") > 0
	}
	if !cutOff {
		t.Fatal("the slow consumer was never cut off")
	}
	// Not a latency target (the benchmark measures that): a bound far above
	// a poll interval that a fast consumer held up behind the slow one, until
	// its cut-off, would pass; a busy machine stays well under it.
	if worst > 5*time.Second {
		t.Errorf("the fast consumer waited up to %s for a change while the slow one lagged", worst)
	}
	t.Logf("fast consumer's deliveries while the slow one lagged: %v", delays)

	// Read what reached the slow socket: it ends, closed by the server.
	readCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if _, _, err = slow.Read(readCtx); err != nil {
			break
		}
	}
	if readCtx.Err() != nil {
		t.Fatal("the slow consumer's connection was not closed")
	}
	if code := websocket.CloseStatus(err); code != -1 && code != closeSlow {
		t.Errorf("close status %d, want %d (or the connection dropped)", code, closeSlow)
	}
	t.Logf("the slow socket ended with: %v", err)
	if n := metricValue(t, m, "cyberkg_feed_subscriptions"); n != 1 {
		t.Errorf("%v subscriptions open, want the fast consumer's one", n)
	}
}

// metricValue is the value of a counter or gauge the server exposes.
func metricValue(t *testing.T, m *metrics, name string) float64 {
	t.Helper()
	families, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.Metric) > 0 {
			if c := f.Metric[0].GetCounter(); c != nil {
				return c.GetValue()
			}
			return f.Metric[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// With anonymous reading off, a WebSocket is authenticated at
// connection_init (browsers cannot send headers with one) and SSE by its
// request; once its key is revoked, a connection's subscriptions end.
func TestFeedAuthenticatesAndEndsRevokedKeys(t *testing.T) {
	cfg := testConfig(t)
	cfg.anonymousReads, cfg.keyCacheTTL, cfg.feed.recheck = false, 0, 100*time.Millisecond
	ts, s := feedServer(t, cfg)
	head, _ := s.Head(context.Background())
	after := strconv.FormatInt(head, 10)
	node, dir := nodeFeedDir(t)
	for _, transport := range []string{"ws", "sse"} {
		out, _ := exec.Command(node, filepath.Join(dir, "client.mjs"), transport, ts.URL+"/graphql", "1", after).Output()
		if !strings.Contains(string(out), map[string]string{"ws": "no anonymous reads", "sse": "401"}[transport]) || strings.Contains(string(out), `"seq"`) {
			t.Errorf("%s without credentials: %s", transport, out)
		}
		if transport == "ws" && !strings.Contains(string(out), `"code":4403`) {
			t.Errorf("ws without credentials: %s, want close code 4403", out)
		}
	}

	key, id := createKey(t, "reader", "feed-revoked")
	ws := follow(t, "ws", ts.URL, 2, after, "Bearer "+key)
	sse := follow(t, "sse", ts.URL, 2, after, "Bearer "+key)
	seq := commitChange(t, s)
	for _, c := range []*feedClient{ws, sse} {
		if e := c.next(t); e.Seq != seq {
			t.Fatalf("with a key: %+v, want %d", e, seq)
		}
	}
	if _, err := serverCommand(t, "keys", "revoke", id); err != nil {
		t.Fatal(err)
	}
	e, ok := <-ws.events
	if !ok || !strings.Contains(e.Error, "no longer valid") {
		t.Errorf("ws after its key was revoked: %+v (ok %v), want the connection closed", e, ok)
	}
	if e, ok := <-sse.events; ok && e.Error == "" {
		t.Errorf("sse after its key was revoked: %+v, want the stream ended", e)
	}
}
