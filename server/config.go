package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/peterbourgon/ff/v3"

	"cyberkg/store"
)

// config is everything the server reads from flags or the environment. Each
// flag has an environment variable of the same name in upper case with
// underscores: -neo4j-uri is NEO4J_URI.
type config struct {
	httpAddr        string
	neo4j           store.Config
	neo4jWait       time.Duration
	seedIfEmpty     bool
	corsOrigins     string
	maxComplexity   int
	maxDepth        int
	maxBodyBytes    int64
	shutdownTimeout time.Duration
}

func parseConfig(name string, args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.httpAddr, "http-addr", "127.0.0.1:8080", "address to serve HTTP on")
	fs.StringVar(&c.neo4j.URI, "neo4j-uri", "bolt://127.0.0.1:7687", "Neo4j URI (bolt:// or neo4j://)")
	fs.StringVar(&c.neo4j.User, "neo4j-user", "neo4j", "Neo4j user (empty for no auth)")
	fs.StringVar(&c.neo4j.Password, "neo4j-password", "", "Neo4j password (there is no default)")
	fs.StringVar(&c.neo4j.PasswordFile, "neo4j-password-file", "", "file holding the Neo4j password, read when -neo4j-password is empty (make run passes .neo4j/password)")
	fs.StringVar(&c.neo4j.Database, "neo4j-database", "", "Neo4j database (empty for the server's default)")
	fs.DurationVar(&c.neo4j.QueryTimeout, "query-timeout", 10*time.Second, "timeout of every Neo4j transaction")
	fs.DurationVar(&c.neo4jWait, "neo4j-wait", 60*time.Second, "how long to wait for Neo4j at start-up")
	fs.DurationVar(&c.neo4j.HealthInterval, "neo4j-health-interval", 500*time.Millisecond, "how often a RETURN 1 round trip checks that Neo4j answers (drives /readyz and failing fast)")
	fs.DurationVar(&c.neo4j.HealthTimeout, "neo4j-health-timeout", 2*time.Second, "how long a health check waits for Neo4j; two that time out in a row mark it down")
	fs.BoolVar(&c.seedIfEmpty, "seed-if-empty", true, "load the bundled seed data at start-up when the graph is empty")
	fs.StringVar(&c.corsOrigins, "cors-origins", "", "comma-separated origins allowed to call the API from a browser (* for any)")
	fs.IntVar(&c.maxComplexity, "max-complexity", 20000, "largest query complexity accepted")
	fs.IntVar(&c.maxDepth, "max-depth", 12, "deepest query selection accepted")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", 1<<20, "largest request body accepted")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to let requests finish on SIGINT/SIGTERM")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: server [seed] [flags]\n\n"+
			"Serves the knowledge graph over GraphQL; \"seed\" makes the graph equal to the seed data and exits.\n"+
			"Every flag can also be set by an environment variable: -neo4j-uri is NEO4J_URI.\n\n")
		fs.PrintDefaults()
	}
	err := ff.Parse(fs, args, ff.WithEnvVars())
	if err != nil {
		return c, err
	}
	if c.maxComplexity < 1 || c.maxDepth < 1 || c.maxBodyBytes < 1 {
		return c, fmt.Errorf("-max-complexity, -max-depth and -max-body-bytes must be positive")
	}
	return c, nil
}
