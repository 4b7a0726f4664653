package main

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// keepAliveInterval is the tests' -feed-keepalive: short, so that an idle
// connection sees several pings in a second or two.
const keepAliveInterval = 250 * time.Millisecond

// checkInterval fails unless the keep-alives at (arrival times, oldest
// first) came about every keepAliveInterval: never in a burst (their
// average gap is at least three quarters of it) and never far apart (at
// most three times it, a bound for a busy machine).
func checkInterval(t *testing.T, what string, at []time.Time) {
	t.Helper()
	gap := at[len(at)-1].Sub(at[0]) / time.Duration(len(at)-1)
	if gap < keepAliveInterval*3/4 || gap > 3*keepAliveInterval {
		t.Errorf("%s: %d keep-alives %s apart on average, want about %s", what, len(at), gap, keepAliveInterval)
	}
	t.Logf("%s: %d keep-alives, %s apart on average (-feed-keepalive %s)", what, len(at), gap, keepAliveInterval)
}

// An idle WebSocket (one subscription, no change) is pinged with
// graphql-transport-ws pings every -feed-keepalive; graphql-ws answers each
// with a pong, and the connection stays open well past two intervals. A
// client that does not answer is closed after two intervals without a pong.
func TestFeedPingsIdleWebSockets(t *testing.T) {
	cfg := testConfig(t)
	cfg.feed.keepAlive = keepAliveInterval
	ts, _ := feedServer(t, cfg)

	c := followEnv(t, []string{"FEED_PINGS=1"}, "ws", ts.URL, 1, "", "")
	var pings []time.Time
	for len(pings) < 8 {
		e := c.next(t)
		if !e.Ping {
			t.Fatalf("an idle connection sent %+v, want only pings", e)
		}
		pings = append(pings, time.UnixMilli(e.MS))
	}
	// Eight pings answered is four times the two intervals in which an
	// unanswered one closes the connection (below).
	checkInterval(t, "WebSocket", pings)

	mute := followEnv(t, []string{"FEED_PINGS=1", "FEED_NO_PONG=1"}, "ws", ts.URL, 1, "", "")
	start := time.Now()
	n := 0
	for e := range mute.events {
		if e.Ping {
			n++
			continue
		}
		// gqlgen drops the connection when the pong's read deadline passes,
		// without a close frame: the client sees 1006.
		if e.Error == "" && e.Code == 0 {
			t.Fatalf("a client that does not answer pings got %+v", e)
		}
		t.Logf("the client that did not answer %d pings was closed after %s: %+v", n, time.Since(start).Round(time.Millisecond), e)
		break
	}
	if d := time.Since(start); d > 10*keepAliveInterval {
		t.Errorf("a client that does not answer pings was closed after %s, want about %s", d, 2*keepAliveInterval)
	}
	if n > 4 {
		t.Errorf("a client that does not answer pings was sent %d of them before it was closed, want about 2", n)
	}
}

// An idle server-sent events stream carries an SSE comment (": ping") every
// -feed-keepalive, so that proxies do not time it out.
func TestFeedKeepsIdleSSEStreamsAlive(t *testing.T) {
	cfg := testConfig(t)
	cfg.feed.keepAlive = keepAliveInterval
	ts, _ := feedServer(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/graphql",
		strings.NewReader(`{"query": "subscription { changes { cursor } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, ct)
	}
	var pings []time.Time
	sc := bufio.NewScanner(resp.Body)
	for len(pings) < 6 && sc.Scan() {
		switch line := sc.Text(); {
		case line == ": ping":
			pings = append(pings, time.Now())
		case line == "" || line == ":": // the stream's opening comment, and events' ends
		default:
			t.Fatalf("an idle stream sent %q, want only keep-alive comments", line)
		}
	}
	if len(pings) < 6 {
		t.Fatalf("the stream ended after %d keep-alives: %v", len(pings), sc.Err())
	}
	checkInterval(t, "SSE", pings)
}
