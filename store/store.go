// Package store is the Neo4j implementation of the knowledge graph's storage.
// It owns every Cypher string and is the only importer of the Neo4j driver.
// Values always travel as parameters; labels and relationship types that
// must be spliced into Cypher come only from kg's closed vocabularies.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"cyberkg/errs"
)

// Config says how to reach Neo4j.
type Config struct {
	URI          string // bolt://127.0.0.1:7687 or neo4j://…
	User         string
	Password     string
	PasswordFile string        // read for the password when Password is empty (scripts/neo4j-start writes one)
	Database     string        // "" for the server's default
	QueryTimeout time.Duration // every read transaction's timeout
	WriteTimeout time.Duration // every write transaction's timeout (seed, import): longer, as a cold database plans each statement

	// Health checks (health.go): a RETURN 1 round trip every HealthInterval
	// (500 ms), failing after HealthTimeout (2 s); HealthChanged, if set, is
	// told when Neo4j goes down (the error) and comes back (nil).
	HealthInterval time.Duration
	HealthTimeout  time.Duration
	HealthChanged  func(error)
}

// Observer is told of every Cypher round trip, for metrics.
type Observer func(op string, d time.Duration, err error)

// Store reads and writes the graph.
type Store struct {
	driver       neo4j.DriverWithContext
	db           string
	timeout      time.Duration
	writeTimeout time.Duration
	observe      Observer
	health       *health
	retention    atomic.Pointer[Retention] // of the change log (changes.go)
	failHook     atomic.Pointer[func(op string) error]
	graphLock    graphLockQueue // this process's writers queue here for the graph's lock (changes.go)
}

// Open connects and checks that Neo4j answers.
func Open(ctx context.Context, cfg Config, observe Observer) (*Store, error) {
	s, err := New(cfg, observe)
	if err != nil {
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		s.Close(ctx)
		return nil, err
	}
	return s, nil
}

// New makes a store. It opens one connection at once (firstConnection) but
// does not fail when Neo4j is down: later connections are made as needed.
func New(cfg Config, observe Observer) (*Store, error) {
	auth := neo4j.NoAuth()
	if cfg.User != "" {
		password, err := cfg.password()
		if err != nil {
			return nil, err
		}
		auth = neo4j.BasicAuth(cfg.User, password, "")
	}
	// Fail fast when Neo4j is down: a request should learn that in seconds,
	// not after the driver's default 30 s of retries.
	driver, err := neo4j.NewDriverWithContext(cfg.URI, auth, func(c *config.Config) {
		c.MaxTransactionRetryTime = 3 * time.Second
		c.SocketConnectTimeout = 3 * time.Second
		c.ConnectionAcquisitionTimeout = 5 * time.Second
		// A connection idle this long may have been closed by a restarted
		// Neo4j: check it with a RESET before use rather than fail a query on it.
		c.ConnectionLivenessCheckTimeout = 5 * time.Second
	})
	if err != nil {
		return nil, errs.E("store.New", errs.Invalid, fmt.Errorf("neo4j %s: %w", cfg.URI, err))
	}
	if observe == nil {
		observe = func(string, time.Duration, error) {}
	}
	timeout := cfg.QueryTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	writeTimeout := cfg.WriteTimeout
	if writeTimeout <= 0 {
		writeTimeout = 5 * time.Minute
	}
	s := &Store{driver: driver, db: cfg.Database, timeout: timeout, writeTimeout: writeTimeout, observe: observe, health: newHealth(cfg), graphLock: make(graphLockQueue, 1)}
	firstConnection(driver, cfg)
	s.monitor()
	return s, nil
}

// firstConnection opens one connection (and gives it back to the pool)
// before anything can use the driver concurrently. The driver (v5.28.4, the
// newest v5) sets its connector's SupplyConnection on the first Connect
// without a lock, so the first connections opened at once race, as the race
// detector reports. Once one Connect has begun, later ones only read the
// field. That holds even when Neo4j is down (the field is set before the
// dial), so the outcome is ignored here: Open's Ping and the health checks
// report it. This stands in for a fix in the driver, which we do not fork.
func firstConnection(driver neo4j.DriverWithContext, cfg Config) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = driver.VerifyConnectivity(ctx)
}

// password is the configured password, or the content of PasswordFile.
func (cfg Config) password() (string, error) {
	if cfg.Password != "" || cfg.PasswordFile == "" {
		return cfg.Password, nil
	}
	b, err := os.ReadFile(cfg.PasswordFile)
	if err != nil {
		return "", errs.E("store.New", errs.Invalid, fmt.Errorf("neo4j password file: %w (`make neo4j-start` writes one for the local Neo4j)", err))
	}
	return strings.TrimSpace(string(b)), nil
}

// Close stops the health checks and releases the driver's connections.
func (s *Store) Close(ctx context.Context) error {
	s.health.stopMonitor()
	return s.driver.Close(ctx)
}

type counterKey struct{}

// WithQueryCounter returns a context whose Cypher round trips are counted,
// so a request can report how many it cost.
func WithQueryCounter(ctx context.Context) context.Context {
	return context.WithValue(ctx, counterKey{}, new(atomic.Int64))
}

// QueryCount is the number of Cypher round trips made so far under ctx.
func QueryCount(ctx context.Context) int64 {
	if c, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		return c.Load()
	}
	return 0
}

// runner runs a statement: a managed transaction, or autoCommit.
type runner interface {
	Run(ctx context.Context, cypher string, params map[string]any) (neo4j.ResultWithContext, error)
}

// query is one Cypher round trip inside a transaction: it runs the statement,
// collects its records, and is what counters and metrics see.
func (s *Store) query(ctx context.Context, tx runner, op, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	if c, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		c.Add(1)
	}
	ctx, span := tracer.Start(ctx, "neo4j "+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", "neo4j"), attribute.String("db.operation.name", op)))
	defer span.End()
	start := time.Now()
	res, err := tx.Run(ctx, cypher, params)
	var recs []*neo4j.Record
	if err == nil {
		recs, err = res.Collect(ctx)
	}
	s.observe(op, time.Since(start), err)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.SetAttributes(attribute.Int("db.response.returned_rows", len(recs)))
	return recs, err
}

// read runs fn in one read transaction with the store's timeout.
func (s *Store) read(ctx context.Context, op string, fn func(tx neo4j.ManagedTransaction) error) error {
	return s.transact(ctx, op, neo4j.AccessModeRead, fn)
}

// write runs fn in one write transaction: all of it is written or none.
func (s *Store) write(ctx context.Context, op string, fn func(tx neo4j.ManagedTransaction) error) error {
	return s.transact(ctx, op, neo4j.AccessModeWrite, fn)
}

func (s *Store) transact(ctx context.Context, op string, mode neo4j.AccessMode, fn func(tx neo4j.ManagedTransaction) error) error {
	return s.inSession(ctx, op, mode, func(ctx context.Context, session neo4j.SessionWithContext, timeout time.Duration) error {
		work := func(tx neo4j.ManagedTransaction) (any, error) { return nil, fn(tx) }
		var err error
		if mode == neo4j.AccessModeRead {
			_, err = session.ExecuteRead(ctx, work, neo4j.WithTxTimeout(timeout))
		} else {
			_, err = session.ExecuteWrite(ctx, work, neo4j.WithTxTimeout(timeout))
		}
		return err
	})
}

// readOne runs one read statement as an auto-commit transaction. That is
// one round trip to Neo4j where a managed transaction (read) costs two:
// BEGIN and RUN, then COMMIT. Alone, the graph's version was read in 0.43
// against 0.83 ms that way, and at 16 at once 1.3–1.5× as often.
func (s *Store) readOne(ctx context.Context, op, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	var recs []*neo4j.Record
	err := s.readEach(ctx, op, func(ctx context.Context, run runner) (err error) {
		recs, err = s.query(ctx, run, op, cypher, params)
		return err
	})
	return recs, err
}

// readEach runs fn's read statements each as an auto-commit transaction of
// one session, which sees every write its bookmarks name: for reads of
// several statements that need no one transaction around them (Neo4j's
// transactions read committed data, not a snapshot, either way). As
// ExecuteRead does, it runs fn again after a failure Neo4j calls retryable
// (a cluster's leader moving, a connection lost), while ctx lasts.
func (s *Store) readEach(ctx context.Context, op string, fn func(context.Context, runner) error) error {
	return s.inSession(ctx, op, neo4j.AccessModeRead, func(ctx context.Context, session neo4j.SessionWithContext, timeout time.Duration) error {
		for attempt := 1; ; attempt++ {
			err := fn(ctx, autoCommit{session, timeout})
			if err == nil || attempt == maxAutoCommitAttempts || !neo4j.IsRetryable(err) || ctx.Err() != nil {
				return err
			}
			select {
			case <-time.After(time.Duration(attempt) * 50 * time.Millisecond):
			case <-ctx.Done():
				return err
			}
		}
	})
}

const maxAutoCommitAttempts = 3

// autoCommit runs statements as a session's auto-commit transactions, for
// query.
type autoCommit struct {
	session neo4j.SessionWithContext
	timeout time.Duration
}

func (a autoCommit) Run(ctx context.Context, cypher string, params map[string]any) (neo4j.ResultWithContext, error) {
	return a.session.Run(ctx, cypher, params, neo4j.WithTxTimeout(a.timeout))
}

// inSession opens a session for one unit of work in mode and calls fn with
// it and the work's timeout, accounting for what the store watches.
func (s *Store) inSession(ctx context.Context, op string, mode neo4j.AccessMode, fn func(context.Context, neo4j.SessionWithContext, time.Duration) error) error {
	ctx, release, err := s.health.enter(ctx, op) // fails fast while Neo4j is known to be down
	if err != nil {
		return err
	}
	defer release()
	releaseCall, err := acquireCall(ctx)
	if err != nil {
		return classify(ctx, op, err)
	}
	defer releaseCall()
	// Neo4j stops the transaction at the request's deadline too, not only
	// the driver: the smaller of the time left and the store's timeout.
	timeout := s.timeout
	if mode == neo4j.AccessModeWrite {
		timeout = s.writeTimeout
	}
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return classify(ctx, op, context.DeadlineExceeded)
		}
		// At least a millisecond: the driver sends whole milliseconds, and a
		// timeout of 0 would let the transaction run forever.
		timeout = max(min(timeout, left), time.Millisecond)
	}
	// Read sessions go to followers in a cluster, write sessions to the
	// leader; both start after the client's bookmarks (bookmarks.go).
	bookmarks := bookmarksOf(ctx)
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: mode, DatabaseName: s.db, Bookmarks: bookmarks.session()})
	defer session.Close(ctx)
	err = fn(ctx, session, timeout)
	if err == nil {
		s.health.answered()
		if mode == neo4j.AccessModeWrite {
			bookmarks.wrote(session.LastBookmarks())
		}
	}
	return s.health.after(ctx, op, classify(ctx, op, err))
}

// classify gives driver errors a kind; errors that already have one keep it.
// An error met after ctx ended is ctx's: the driver reports a deadline it
// meets while reading a result as a ConnectivityError ("context deadline
// exceeded"), which would tell the user Neo4j is unavailable when the
// request ran out of time (seen with 64 clients of 8-10 s shortest paths at
// 1M entities).
func classify(ctx context.Context, op string, err error) error {
	var e *errs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return errs.E(op, errs.Timeout, fmt.Errorf("the request ran out of time: %w", err))
	case neo4j.IsConnectivityError(err), neo4j.IsTransactionExecutionLimit(err):
		return errs.E(op, errs.Unavailable, fmt.Errorf("neo4j unavailable: %w", err))
	default:
		var ne *neo4j.Neo4jError
		if errors.As(err, &ne) && strings.HasPrefix(ne.Title(), "TransactionTimedOut") {
			return errs.E(op, errs.Timeout, fmt.Errorf("neo4j query timed out: %w", err))
		}
		if errors.As(err, &ne) && (ne.Title() == "InvalidBookmark" || ne.Title() == "InvalidBookmarkMixture") {
			return errs.E(op, errs.Invalid, fmt.Errorf("the bookmark sent (X-Neo4j-Bookmark) is not one this database issued"))
		}
		return errs.E(op, errs.Internal, err)
	}
}

type callsKey struct{}

// WithCallLimit bounds how many Neo4j transactions one request runs at a
// time: resolvers of a wide query wait for a slot instead of taking every
// connection of the pool.
func WithCallLimit(ctx context.Context, n int) context.Context {
	if n <= 0 {
		return ctx
	}
	return context.WithValue(ctx, callsKey{}, make(chan struct{}, n))
}

// acquireCall waits for one of the request's slots, or for its context.
func acquireCall(ctx context.Context) (release func(), err error) {
	slots, ok := ctx.Value(callsKey{}).(chan struct{})
	if !ok {
		return func() {}, nil
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
