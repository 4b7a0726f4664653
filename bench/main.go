// Command bench measures the GraphQL server against the Neo4j GraphQL
// Library (the peer) and against the best Cypher we know run straight
// through the driver (the floor), on a synthetic graph in a Neo4j of its
// own. See BENCHMARKS.md.
//
//	bench load    [flags]   load the synthetic graph if the database holds another
//	                        (-offline-csv DIR: write it there for the offline importer instead)
//	bench compare [flags]   check the targets agree, then measure them, interleaved
//	bench peer-schema       print the peer's type definitions (bench/peer/schema.graphql)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"cyberkg/store"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 || (args[0] != "load" && args[0] != "compare" && args[0] != "peer-schema") {
		return fmt.Errorf("usage: bench load|compare|peer-schema [flags]")
	}
	if args[0] == "peer-schema" {
		fmt.Print(peerSchema())
		return nil
	}
	cmd := args[0]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	uri := fs.String("neo4j-uri", envOr("NEO4J_URI", "bolt://127.0.0.1:7690"), "the bench's own Neo4j (never the one make run serves)")
	password := fs.String("neo4j-password", os.Getenv("NEO4J_PASSWORD"), "Neo4j password (scripts/bench-compare passes its instance's)")
	n := fs.Int("entities", 100_000, "entities in the synthetic graph")
	m := fs.Int("relationships", 500_000, "relationships in the synthetic graph")
	csvDir := fs.String("offline-csv", "", "load: if the database holds another graph, write the synthetic one here as CSV for the offline importer (scripts/bench-compare imports it) instead of loading it over Bolt")
	var o compareOptions
	fs.StringVar(&o.server, "server", "", "our server's base URL (e.g. http://127.0.0.1:8103); empty to skip")
	fs.StringVar(&o.baseline, "baseline", "", "another build of our server to measure beside it (e.g. an older commit's), as target \"before\"; empty to skip")
	fs.StringVar(&o.peer, "peer", "", "the peer's GraphQL URL (e.g. http://127.0.0.1:4003/graphql); empty to skip")
	fs.StringVar(&o.pprof, "pprof", "", "our server's -pprof-addr as a URL (e.g. http://127.0.0.1:8092), for -profile-dir")
	fs.StringVar(&o.profileDir, "profile-dir", "", "keep CPU and allocation profiles of our server here, taken during its runs at the largest client count of the last round")
	fs.StringVar(&o.ops, "ops", "", "comma-separated operations to run (default all)")
	fs.StringVar(&o.clients, "clients", "1,16", "comma-separated client counts")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured run")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "before the rounds, how long each target runs each operation at the largest client count, unmeasured (0: no warm-up)")
	fs.IntVar(&o.rounds, "rounds", 2, "interleaved rounds: each round runs every target once per operation and client count")
	fs.IntVar(&o.args, "args", 200, "distinct arguments sampled per operation")
	fs.StringVar(&o.workload, "workload", "uniform", "uniform: each client walks -args arguments in turn; zipf: arguments drawn Zipf-like from 10,000 per operation while a write lands once a second, with a freshness check of our server's answers")
	fs.BoolVar(&o.checkOnly, "check-only", false, "only check that the targets return the same data")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{URI: *uri, User: "neo4j", Password: *password, QueryTimeout: 10 * time.Minute}, nil)
	if err != nil {
		return err
	}
	defer s.Close(ctx)
	if cmd != "load" {
		*csvDir = "" // compare needs the graph itself
	}
	ds, err := ensureGraph(ctx, s, *n, *m, *csvDir)
	if err != nil || cmd == "load" {
		return err
	}
	return compare(ctx, s, *uri, *password, ds, o)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
