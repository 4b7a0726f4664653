package dbtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cyberkg/store"
)

// Own is a Neo4j of a test's own, in a temporary state folder, run by the
// project's scripts: for tests that stop it, restart it or import into it,
// which the tests' shared instance must never see. It is small (the seed
// needs little memory, whatever the shell asks of other instances) and is
// stopped when the test ends, failed or not.
type Own struct {
	State string // its state folder: data, logs and the password file
	Port  string // its Bolt port
	root  string
	env   []string
}

// NewOwn makes an Own on the port the environment variable portVar names,
// or else a free one; it does not start it.
func NewOwn(t testing.TB, portVar string) *Own {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	port := os.Getenv(portVar)
	if port == "" {
		port = freePort(t)
	}
	state := t.TempDir()
	own := &Own{State: state, Port: port, root: root,
		// Later entries win. The start timeout is for a busy machine.
		env: append(os.Environ(), "NEO4J_STATE_DIR="+state, "NEO4J_BOLT_PORT="+port,
			"NEO4J_HEAP=512m", "NEO4J_PAGECACHE=64m", "NEO4J_TX_MEMORY=256m", "NEO4J_START_TIMEOUT=400",
			"NEO4J_IMPORT_HEAP=512m", "NEO4J_IMPORT_MEMORY=256m"),
	}
	t.Cleanup(func() {
		if out, err := own.Script("neo4j-stop"); err != nil {
			t.Errorf("neo4j-stop: %v\n%s", err, out)
		}
	})
	return own
}

// URI is its Bolt address.
func (o *Own) URI() string { return "bolt://127.0.0.1:" + o.Port }

// Config reaches it with the long query timeout a cold database needs to
// plan its first statements.
func (o *Own) Config() store.Config {
	return store.Config{URI: o.URI(), User: "neo4j",
		PasswordFile: filepath.Join(o.State, "password"), QueryTimeout: 2 * time.Minute}
}

// Script runs scripts/name on it and returns what it printed.
func (o *Own) Script(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(o.root, "scripts", name), args...)
	cmd.Env = o.env
	return cmd.CombinedOutput()
}

// Run runs scripts/name on it and fails the test if that fails.
func (o *Own) Run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := o.Script(name, args...); err != nil {
		t.Fatalf("scripts/%s (Java 17+ and Maven needed: apt-get install openjdk-17-jdk-headless maven): %v\n%s", name, err, out)
	}
}

// repoRoot is the nearest folder above the working directory (a test's
// package) that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}
