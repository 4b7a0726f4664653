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
	shutdownTimeout time.Duration

	// Limits on what one request may cost; see the README's "Limits".
	maxCost        int
	cacheBytes     int64
	directReads    bool
	maxDepth       int
	maxTokens      int
	maxAliases     int
	maxDirectives  int
	maxErrors      int
	maxBodyBytes   int64
	requestTimeout time.Duration
	neo4jCalls     int
	rateLimit      int
	rateWindow     time.Duration

	// Who may call (docs/access.md).
	anonymousReads    bool
	keyCacheTTL       time.Duration
	oidcIssuer        string
	oidcAudience      string
	oidcRoleClaim     string
	rateLimitKeys     int
	rateLimitLoopback bool
	keyRole, keyName  string // keys create
	feed              feedConfig
	introspection     bool
	suggestions       bool
	csrfHeaders       string
	frameAncestors    string
	metricsAddr       string
	pprofAddr         string

	exportMaxNodes int
	exportTimeout  time.Duration
	replace        bool     // import: replace a non-empty graph
	offlineCSV     string   // import: write CSV files for the offline importer here instead
	args           []string // what follows the flags: import's FILE

	ops opsConfig // draining, tracing (ops.go)
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
	fs.DurationVar(&c.neo4j.QueryTimeout, "query-timeout", 10*time.Second, "timeout of every Neo4j read transaction")
	fs.DurationVar(&c.neo4j.WriteTimeout, "write-timeout", 5*time.Minute, "timeout of every Neo4j write transaction (seed)")
	fs.DurationVar(&c.neo4jWait, "neo4j-wait", 60*time.Second, "how long to wait for Neo4j at start-up")
	fs.DurationVar(&c.neo4j.HealthInterval, "neo4j-health-interval", 500*time.Millisecond, "how often a RETURN 1 round trip checks that Neo4j answers (drives /readyz and failing fast)")
	fs.DurationVar(&c.neo4j.HealthTimeout, "neo4j-health-timeout", 2*time.Second, "how long a health check waits for Neo4j; two that time out in a row mark it down")
	fs.BoolVar(&c.seedIfEmpty, "seed-if-empty", true, "load the bundled seed data at start-up when the graph is empty")
	fs.BoolVar(&c.replace, "replace", false, "with the import command: make the graph equal to FILE even if it is not empty")
	fs.StringVar(&c.offlineCSV, "offline-csv", "", "with the import command: write FILE as CSV files for Neo4j's offline importer into this new directory (scripts/neo4j-import), touching no database")
	fs.StringVar(&c.corsOrigins, "cors-origins", "", "comma-separated origins allowed to call the API from a browser (* for any)")
	fs.IntVar(&c.maxCost, "max-cost", 50_000, "most nodes (entities, relationships, other objects) one request may ask for")
	fs.BoolVar(&c.directReads, "direct-reads", true, "answer the read operations graph/direct knows without gqlgen's field executor (false: every operation through gqlgen)")
	fs.Int64Var(&c.cacheBytes, "response-cache-bytes", 64<<20, "bytes of whole GraphQL responses kept for anonymous and reader queries, keyed by the graph's version (0: no cache)")
	fs.IntVar(&c.maxDepth, "max-depth", 12, "deepest query selection accepted")
	fs.IntVar(&c.maxTokens, "max-tokens", 5_000, "most parser tokens in one query document")
	fs.IntVar(&c.maxAliases, "max-aliases", 30, "most aliases in one query document")
	fs.IntVar(&c.maxDirectives, "max-directives", 50, "most directives in one query document")
	fs.IntVar(&c.maxErrors, "max-errors", 20, "most errors listed in one response")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", 256<<10, "largest request body accepted (413 above)")
	fs.DurationVar(&c.requestTimeout, "request-timeout", 10*time.Second, "deadline of a whole GraphQL request, carried into every Neo4j transaction")
	fs.IntVar(&c.neo4jCalls, "max-neo4j-calls", 4, "most Neo4j transactions one request runs at a time")
	fs.IntVar(&c.rateLimit, "rate-limit", 5_000, "points per -rate-window for each client without credentials (by address); a request costs its extensions.cost in hundreds, at least 1; 0 turns rate limiting off")
	fs.IntVar(&c.rateLimitKeys, "rate-limit-keys", 20_000, "points per -rate-window for each API key or token")
	fs.DurationVar(&c.rateWindow, "rate-window", time.Minute, "window of -rate-limit: a client's bucket refills at its budget per window")
	fs.BoolVar(&c.rateLimitLoopback, "rate-limit-loopback", true, "rate-limit clients on the loopback address too (make run turns it off: a notebook on the same machine is not limited)")
	fs.BoolVar(&c.anonymousReads, "anonymous-reads", true, "answer reads without credentials; false: every request needs an API key or token")
	fs.DurationVar(&c.keyCacheTTL, "key-cache-ttl", 10*time.Second, "how long a checked API key is trusted before Neo4j is asked again: a key revoked elsewhere is refused here at most this much later (0: ask every time)")
	fs.StringVar(&c.oidcIssuer, "oidc-issuer", "", "accept OIDC/JWT bearer tokens signed by this issuer (its URL; discovery and keys are fetched from it)")
	fs.StringVar(&c.oidcAudience, "oidc-audience", "", "the audience (client id) a token must be for; needed with -oidc-issuer")
	fs.StringVar(&c.oidcRoleClaim, "oidc-role-claim", "roles", "the token claim holding the caller's roles (reader, curator, admin); a dotted path reaches into objects: realm_access.roles")
	fs.DurationVar(&c.feed.poll, "feed-poll", 100*time.Millisecond, "how often the change feed asks Neo4j for the graph's version while anyone subscribes")
	fs.IntVar(&c.feed.buffer, "feed-buffer", 256, "changes a feed subscriber may fall behind before it is cut off as a slow consumer (WebSocket close code 4430)")
	fs.IntVar(&c.feed.maxSubsPerConn, "feed-max-subscriptions", 20, "most subscriptions on one feed connection")
	fs.IntVar(&c.feed.maxPerClient, "feed-max-connections-per-client", 20, "most feed connections (WebSocket or SSE) of one client: key, token or address")
	fs.IntVar(&c.feed.maxConns, "feed-max-connections", 5000, "most feed connections this server holds")
	fs.DurationVar(&c.feed.keepAlive, "feed-keepalive", 15*time.Second, "how often an idle feed connection is pinged")
	fs.DurationVar(&c.feed.recheck, "feed-auth-recheck", 10*time.Second, "how often the credentials of open feed connections are checked again: a revoked key's subscriptions end within this")
	if name == "keys" {
		fs.StringVar(&c.keyRole, "role", "", "keys create: the key's role: reader, curator or admin")
		fs.StringVar(&c.keyName, "name", "", "keys create: who or what the key is for")
	}
	fs.BoolVar(&c.introspection, "introspection", true, "answer introspection queries (the explorer needs them)")
	fs.BoolVar(&c.suggestions, "suggestions", false, `suggest field names in validation errors ("did you mean")`)
	fs.StringVar(&c.csrfHeaders, "csrf-headers", "GraphQL-Require-Preflight,Apollo-Require-Preflight,X-Apollo-Operation-Name",
		"a GET or a form-like POST to /graphql must carry one of these headers (CSRF prevention); empty turns the check off")
	fs.StringVar(&c.frameAncestors, "frame-ancestors", "'self'", "CSP frame-ancestors of the explorer's pages: who may embed them")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of -http-addr")
	fs.StringVar(&c.pprofAddr, "pprof-addr", "", "serve Go's CPU, heap and allocation profiles (/debug/pprof/) on this address; keep it private")
	fs.IntVar(&c.exportMaxNodes, "export-max-nodes", 200000, "most entities one export (GET /export/…) may hold")
	fs.DurationVar(&c.exportTimeout, "export-timeout", 5*time.Minute, "longest one export may take to stream")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to let requests finish on SIGINT/SIGTERM")
	addOpsFlags(fs, &c.ops)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: server [seed] [flags]  |  server import [flags] FILE  |  server keys create|list|revoke\n\n"+
			"Serves the knowledge graph over GraphQL; \"seed\" makes the graph equal to the seed data and exits;\n"+
			"\"import FILE\" loads a JSON export (flags go before FILE) and exits; with -offline-csv DIR it writes\n"+
			"FILE as CSV files for Neo4j's offline importer instead (scripts/neo4j-import).\n"+
			"\"keys create -role ROLE -name NAME\" prints a new API key once; \"keys list\"; \"keys revoke ID\".\n"+
			"Every flag can also be set by an environment variable: -neo4j-uri is NEO4J_URI.\n\n")
		fs.PrintDefaults()
	}
	err := ff.Parse(fs, args, ff.WithEnvVars())
	if err != nil {
		return c, err
	}
	c.args = fs.Args()
	if c.oidcIssuer != "" && c.oidcAudience == "" {
		return c, fmt.Errorf("-oidc-issuer needs -oidc-audience: the client id its tokens must be for")
	}
	if c.maxCost < 1 || c.cacheBytes < 0 || c.maxDepth < 1 || c.maxTokens < 1 || c.maxAliases < 0 || c.maxDirectives < 0 || c.maxBodyBytes < 1 || c.requestTimeout <= 0 || c.exportMaxNodes < 1 {
		return c, fmt.Errorf("-max-cost, -max-depth, -max-tokens, -max-body-bytes, -request-timeout and -export-max-nodes must be positive; -max-aliases and -max-directives not negative")
	}
	return c, nil
}
