package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// opsConfig is how the server runs among others: behind a load balancer
// (draining on SIGTERM) and traced (OpenTelemetry, tracing.go).
type opsConfig struct {
	// shutdownDelay is how long /readyz answers 503 after SIGTERM before the
	// server stops accepting connections, so that a load balancer polling it
	// takes this replica out of rotation first and no request is refused.
	shutdownDelay time.Duration
	// otlpEndpoint is where traces go over OTLP/HTTP; empty: no tracing.
	otlpEndpoint string
	otlpInsecure bool
	serviceName  string

	draining *atomic.Bool
}

func addOpsFlags(fs *flag.FlagSet, c *opsConfig) {
	c.draining = new(atomic.Bool)
	fs.DurationVar(&c.shutdownDelay, "shutdown-delay", 0, "on SIGTERM, answer /readyz with 503 for this long before closing the listener (behind a load balancer: a little more than its health-check interval times its fall count)")
	fs.StringVar(&c.otlpEndpoint, "otel-exporter-otlp-endpoint", "", "export OpenTelemetry traces over OTLP/HTTP to this endpoint (http://collector:4318); empty: traces are off")
	fs.BoolVar(&c.otlpInsecure, "otel-exporter-otlp-insecure", false, "send OTLP without TLS even to an https:// endpoint's host (an http:// endpoint is plain already)")
	fs.StringVar(&c.serviceName, "otel-service-name", "cyberkg", "service.name of the traces")
}

// drainable answers 503 while the server drains, else asks next.
func drainable(draining *atomic.Bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining != nil && draining.Load() {
			w.Header().Set("Retry-After", retryAfter)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// closeWhileDraining makes every response given while the server drains
// close its connection (Connection: close), so that a load balancer or
// client that keeps connections alive opens a new one elsewhere for its
// next request. Idle connections are left open until Shutdown, after the
// delay: closing them at SIGTERM, while a load balancer still routed here,
// raced its next request on one of them, which it answered 502 (HAProxy,
// deploy/failover). A WebSocket upgrade is left alone: its response must say
// Connection: Upgrade.
func closeWhileDraining(draining *atomic.Bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if draining != nil && draining.Load() && r.Header.Get("Upgrade") == "" {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// shutdown drains srv (drain), then stops it, waiting up to timeout for the
// requests it has. While draining each response closes its connection
// (closeWhileDraining); the idle ones are left to Shutdown, when a load
// balancer has stopped sending here.
func shutdown(srv *http.Server, c opsConfig, timeout time.Duration) error {
	drain(context.Background(), c)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return srv.Shutdown(ctx)
}

// drain marks the server draining and waits out the delay (or ctx).
func drain(ctx context.Context, c opsConfig) {
	if c.draining != nil {
		c.draining.Store(true)
	}
	if c.shutdownDelay <= 0 {
		return
	}
	select {
	case <-time.After(c.shutdownDelay):
	case <-ctx.Done():
	}
}

// probe is `server probe URL`: exit 0 if URL answers 200 within 2 s. It is
// the containers' health check, whose image has no curl.
func probe(url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}
