// Package dbtest gives tests a real Neo4j: the one NEO4J_URI names (make
// test starts a local one and sets it), or else one that testcontainers-go
// starts where a Docker engine runs (container.go). With neither, tests fail
// and say what to do; they never skip.
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cyberkg/kg"
	"cyberkg/seed"
	"cyberkg/store"
)

var (
	cfgOnce sync.Once
	cfg     store.Config
	cfgErr  error

	seedOnce sync.Once
	seeded   *kg.Dataset
	seedErr  error
)

// Config is how tests reach Neo4j.
func Config(t testing.TB) store.Config {
	t.Helper()
	cfgOnce.Do(func() {
		cfg = store.Config{
			URI:          os.Getenv("NEO4J_URI"),
			User:         envOr("NEO4J_USER", "neo4j"),
			Password:     os.Getenv("NEO4J_PASSWORD"),
			PasswordFile: os.Getenv("NEO4J_PASSWORD_FILE"),
			QueryTimeout: 2 * time.Minute, // a cold database plans every statement of the first seed load
		}
		if cfg.URI != "" {
			return
		}
		cfg.URI, cfg.Password, cfgErr = startContainer(context.Background(), cfg.Password)
		inContainer = true
	})
	if cfgErr != nil {
		t.Fatalf("no Neo4j for tests: NEO4J_URI is not set and testcontainers could not start one (%v).\n"+
			"Run `make test`, which starts a local Neo4j (needs Java 17+ and Maven: apt-get install openjdk-17-jdk-headless maven),\n"+
			"or set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE) to a Neo4j 5.26,\n"+
			"or run a Docker engine with the image NEO4J_TEST_IMAGE (default neo4j:5.26; `make images` builds cyberkg/neo4j:5.26).", cfgErr)
	}
	return cfg
}

var inContainer bool

// RoutingConfig is Config with a neo4j:// routing URI, when the test Neo4j
// hands back a routing table its clients can reach: the local one
// advertises its own address; a container advertises its inside port, not
// the published one, so there it is Config unchanged and ok is false.
func RoutingConfig(t testing.TB) (c store.Config, ok bool) {
	c = Config(t)
	if inContainer || !strings.HasPrefix(c.URI, "bolt://") {
		return c, false
	}
	c.URI = "neo4j://" + strings.TrimPrefix(c.URI, "bolt://")
	return c, true
}

// Open returns a store on the test Neo4j with the schema applied.
func Open(t testing.TB) *store.Store {
	t.Helper()
	lockDatabase(t)
	ctx := context.Background()
	s, err := store.Open(ctx, Config(t), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	if err := s.ApplySchema(ctx); err != nil {
		t.Fatalf("apply schema: %v", err)
	}
	return s
}

// Seeded returns a store whose graph is exactly the project's seed: the first
// call in a test binary wipes the graph and loads it. Tests that use it must
// not write.
func Seeded(t testing.TB) (*store.Store, *kg.Dataset) {
	t.Helper()
	s := Open(t)
	seedOnce.Do(func() {
		ctx := context.Background()
		if seeded, seedErr = seed.Parse(seed.Files); seedErr != nil {
			return
		}
		if seedErr = s.DeleteAll(ctx); seedErr != nil {
			return
		}
		seedErr = s.Load(ctx, seeded) // the path `server seed` takes into an empty graph
	})
	if seedErr != nil {
		t.Fatalf("load seed: %v", seedErr)
	}
	return s, seeded
}

var (
	lockOnce sync.Once
	lockFile *os.File // kept referenced: its finalizer would close it and drop the lock
	lockErr  error
)

// lockDatabase makes test binaries that use the database take turns: each
// package wipes and reloads the one graph, so two at once would see each
// other's half-loaded data. `go test ./...` runs packages in parallel; the
// lock, held until the process exits, serialises just these. It is per
// database URI, so test runs against different databases don't wait.
func lockDatabase(t testing.TB) {
	lockOnce.Do(func() {
		sum := sha256.Sum256([]byte(os.Getenv("NEO4J_URI")))
		name := "cyberkg-test-neo4j-" + hex.EncodeToString(sum[:6]) + ".lock"
		lockFile, lockErr = os.OpenFile(filepath.Join(os.TempDir(), name), os.O_CREATE|os.O_RDWR, 0o666)
		if lockErr == nil {
			lockErr = syscall.Flock(int(lockFile.Fd()), syscall.LOCK_EX) // released when the process exits
		}
	})
	if lockErr != nil {
		t.Fatalf("lock the test database: %v", lockErr)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
