package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"
)

// TestShutdownServesKeptConnectionsWhileDraining checks what a load balancer
// in front of a server told to stop relies on: during the shutdown delay a
// connection it keeps alive is still served (closing the idle ones at
// SIGTERM raced the balancer's next request, which HAProxy answered 502 in
// deploy/failover), each response tells it to close the connection, so its
// next request opens a new one (elsewhere, once readiness has taken this
// server out), and the server stops when the delay is over.
func TestShutdownServesKeptConnectionsWhileDraining(t *testing.T) {
	ops := opsConfig{draining: new(atomic.Bool), shutdownDelay: 500 * time.Millisecond}
	srv := &http.Server{Handler: closeWhileDraining(ops.draining, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}

	// get reports whether the request went over a connection kept from
	// before and whether its response asked to close it.
	get := func() (reused, closes bool) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
		}))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("HTTP %d", resp.StatusCode)
		}
		return reused, resp.Close
	}

	if _, closes := get(); closes {
		t.Fatal("before SIGTERM, a response asked to close its connection")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- shutdown(srv, ops, 5*time.Second) }()
	for !ops.draining.Load() {
		time.Sleep(time.Millisecond)
	}
	// Give a close of idle connections, had there been one, time to land.
	time.Sleep(50 * time.Millisecond)
	reused, closes := get()
	if !reused {
		t.Error("once draining began, the kept connection was gone: a load balancer sending on it would have failed")
	}
	if !closes {
		t.Error("while draining, a response did not ask to close its connection (Connection: close)")
	}
	if reused, _ := get(); reused {
		t.Error("after a response that closed its connection, the next request reused it")
	}
	if err := <-stopped; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("serve: %v, want http.ErrServerClosed", err)
	}

	// A WebSocket upgrade keeps its own Connection header.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Upgrade", "websocket")
	rec := httptest.NewRecorder()
	closeWhileDraining(ops.draining, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, req)
	if got := rec.Header().Get("Connection"); got != "" {
		t.Errorf("an upgrade request got Connection: %s while draining", got)
	}
}
