// Command server serves the knowledge graph over GraphQL.
//
//	server [flags]        apply the schema, seed an empty graph, serve HTTP
//	server seed [flags]   apply the schema and write the seed data (validated first) as one
//	                      change set of its diff, keeping curators' work, then exit
//	server import FILE    load a JSON export (GET /export/graph.json) into an
//	                      empty graph (-replace: make the graph equal to FILE, in one transaction;
//	                      -offline-csv DIR: write it as CSV files for Neo4j's offline importer)
//	server keys create -role ROLE -name NAME | keys list | keys revoke ID
//	                      make, list and revoke API keys (docs/access.md)
//
// Run "server -help" for the flags; each can also be set by environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"cyberkg/kg"
	"cyberkg/seed"
	"cyberkg/store"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd, args := "serve", os.Args[1:]
	if len(args) == 2 && args[0] == "probe" { // the container health check
		if err := probe(args[1]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(args) > 0 && (args[0] == "seed" || args[0] == "serve" || args[0] == "import" || args[0] == "keys") {
		cmd, args = args[0], args[1:]
	}
	var action string // keys create|list|revoke: the word before the flags
	if cmd == "keys" && len(args) > 0 {
		action, args = args[0], args[1:]
	}
	cfg, err := parseConfig(cmd, args)
	if action != "" {
		cfg.args = append([]string{action}, cfg.args...)
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		tuneGC(cfg.cacheBytes)
		err = run(ctx, cmd, cfg, log)
	}
	if err != nil {
		log.Error("exit", "err", err)
		os.Exit(1)
	}
}

// run starts the parts in order (store, schema, seed, HTTP) and stops them in
// reverse, also when a later part fails to start.
func run(ctx context.Context, cmd string, cfg config, log *slog.Logger) error {
	if cmd == "import" && cfg.offlineCSV != "" { // no database: the importer writes it, stopped
		if len(cfg.args) != 1 || cfg.replace {
			return fmt.Errorf("usage: server import -offline-csv DIR FILE")
		}
		return importOffline(cfg.args[0], cfg.offlineCSV, log)
	}
	stopTracing, err := setupTracing(ctx, cfg.ops)
	if err != nil {
		return err
	}
	defer stopTracing(context.Background()) // flushes the last spans
	m := newMetrics()
	s, err := openStore(ctx, cfg, m, log)
	if err != nil {
		return err
	}
	defer s.Close(context.Background())

	if err := s.ApplySchema(ctx); err != nil {
		return fmt.Errorf("apply schema: %w", err)
	}
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if cmd == "seed" {
		// An empty graph takes the fast path (CREATE, no MERGE); into a
		// full one the seed goes as one change set of its diff, which
		// leaves what curators added or retracted as they left it.
		return loadSeed(ctx, s, seed.Files, log)
	}
	if cmd == "keys" {
		return runKeys(ctx, s, cfg.keyRole, cfg.keyName, cfg.args, os.Stdout)
	}
	if cmd == "import" {
		if len(cfg.args) != 1 {
			return fmt.Errorf("usage: server import [-replace] FILE")
		}
		return importFile(ctx, s, cfg.args[0], cfg.replace, log)
	}
	if cfg.seedIfEmpty && empty {
		if err := loadSeed(ctx, s, seed.Files, log); err != nil {
			return err
		}
	}

	// Requests are bounded by the query timeout; these bound slow clients.
	srv := &http.Server{
		Addr:              cfg.httpAddr,
		Handler:           newHandler(s, cfg, m, log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.requestTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 3)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "url", "http://"+cfg.httpAddr+"/", "neo4j", cfg.neo4j.URI)
	if cfg.metricsAddr != "" {
		// Metrics on their own address, which operators can keep private.
		msrv := &http.Server{Addr: cfg.metricsAddr, Handler: metricsHandler(m), ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- msrv.ListenAndServe() }()
		defer msrv.Close()
		log.Info("serving metrics", "url", "http://"+cfg.metricsAddr+"/metrics")
	}
	if cfg.pprofAddr != "" {
		// Profiles only on their own address: they reveal the server's internals.
		psrv := &http.Server{Addr: cfg.pprofAddr, Handler: pprofHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- psrv.ListenAndServe() }()
		defer psrv.Close()
		log.Info("serving profiles", "url", "http://"+cfg.pprofAddr+"/debug/pprof/")
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining", "delay", cfg.ops.shutdownDelay)
	return shutdown(srv, cfg.ops, cfg.shutdownTimeout)
}

// openStore connects to Neo4j, waiting for it up to cfg.neo4jWait: at
// start-up (docker compose, make run) the database may still be booting.
func openStore(ctx context.Context, cfg config, m *metrics, log *slog.Logger) (*store.Store, error) {
	deadline := time.Now().Add(cfg.neo4jWait)
	cfg.neo4j.HealthChanged = healthChanged(log, m)
	for {
		s, err := store.Open(ctx, cfg.neo4j, m.observeCypher)
		if err == nil {
			return s, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("%w (is Neo4j running? `make neo4j-start` starts a local one; or set NEO4J_URI)", err)
		}
		log.Info("waiting for neo4j", "uri", cfg.neo4j.URI, "err", err)
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
		}
	}
}

// tuneGC collects garbage when the heap has grown to 5 times what survived
// the last collection instead of twice, under a soft limit (memoryLimit). A
// request allocates much and keeps nothing, so collections were frequent and
// found little: at 16 clients on the 100k/500k benchmark graph this gave 19%
// more requests/s on O2, 13% on O4 and 29% on nested-evidence (BENCHMARKS.md).
// GOGC and GOMEMLIMIT, when set, decide instead.
func tuneGC(cacheBytes int64) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(cacheBytes))
	}
}

// memoryLimit is the soft limit of the Go heap: 64 MiB for requests above
// what the response cache may hold, with a quarter more for its entries'
// keys and bookkeeping, and never under the 96 MiB that served uncached
// (peak RSS at 64 clients 103 MB). A limit that did not count the cache was
// a trap: once a full cache's 64 MiB lived in a 96 MiB limit, the collector
// ran every few requests over the whole cache (4,000 collections in a
// 100k zipf run against 240 with this limit), and throughput fell by up
// to two thirds (BENCHMARKS.md, issue 23). With the default cache this is
// 144 MiB, which keeps the server under 200 MB.
func memoryLimit(cacheBytes int64) int64 {
	return max(96<<20, 64<<20+cacheBytes+cacheBytes/4)
}

// loadSeed parses and validates the whole seed before write touches the
// graph, so a mistake in a seed file changes nothing.
func loadSeed(ctx context.Context, s *store.Store, fsys fs.FS, log *slog.Logger) error {
	ds, err := seed.Parse(fsys)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	start := time.Now()
	c, err := s.ApplyDataset(kg.NewContextWithActor(ctx, commandLine), ds, "seed", true)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	log.Info("seed loaded", "entities", len(ds.Entities), "relationships", len(ds.Relationships),
		"change", c.ID, "items", len(c.Items), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// commandLine is the author of what `server seed` and `server import`
// write: an admin of its own, which the change log names.
var commandLine = kg.Actor{ID: "command-line", Name: "server command line", Role: kg.RoleAdmin}
