package dbtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	tcneo4j "github.com/testcontainers/testcontainers-go/modules/neo4j"
	"github.com/testcontainers/testcontainers-go/wait"
)

// The container every test binary of a run shares, by name: `go test ./...`
// runs one binary per package, and each reusing the one Neo4j (they take
// turns on it, lockDatabase) costs one start instead of one per package.
// It outlives the tests (testcontainers' reaper, Ryuk, is an image from a
// registry, so it is off unless TESTCONTAINERS_RYUK_DISABLED says otherwise);
// `make test-containers` removes it, and `docker rm -f -v cyberkg-test-neo4j`
// does by hand.
const defaultContainer = "cyberkg-test-neo4j"

// startContainer starts (or finds) the tests' Neo4j container from the image
// NEO4J_TEST_IMAGE (default the official neo4j:5.26; `make images` builds
// cyberkg/neo4j:5.26 without a registry), its ports published on 127.0.0.1
// only, and returns its Bolt URI and password.
func startContainer(ctx context.Context, password string) (uri, pw string, err error) {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	// The ports are published on 127.0.0.1 only, so that is where to reach
	// them, also when these tests themselves run in a container (where
	// testcontainers would otherwise pick the bridge's gateway).
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	image := envOr("NEO4J_TEST_IMAGE", "neo4j:5.26")
	name := envOr("NEO4J_TEST_CONTAINER", defaultContainer)

	// Two test binaries starting at once must not both create it.
	unlock, err := lockFileNamed("cyberkg-test-container-" + name + ".lock")
	if err != nil {
		return "", "", err
	}
	defer unlock()
	if password == "" {
		// The reused container keeps the password it was made with, so
		// every binary must know it: kept owner-only beside the user's cache.
		if password, err = containerPassword(name); err != nil {
			return "", "", err
		}
	}

	start := time.Now()
	loopback := netip.MustParseAddr("127.0.0.1")
	c, err := tcneo4j.Run(ctx, image,
		tcneo4j.WithAdminPassword(password),
		tcneo4j.WithNeo4jSetting("db.transaction.timeout", "30s"),
		tcneo4j.WithNeo4jSetting("server.memory.heap.max_size", envOr("NEO4J_HEAP", "1g")),
		tcneo4j.WithNeo4jSetting("server.memory.pagecache.size", envOr("NEO4J_PAGECACHE", "512m")),
		testcontainers.WithReuseByName(name),
		// The module's own wait (its log line, then HTTP 200), given longer
		// than its minute: a first start on a busy 2-core machine takes that.
		testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
			ms, ok := req.WaitingFor.(*wait.MultiStrategy)
			if !ok {
				return fmt.Errorf("the neo4j module's wait strategy is a %T now: adapt dbtest", req.WaitingFor)
			}
			ms.WithDeadline(6 * time.Minute)
			for _, w := range ms.Strategies {
				switch w := w.(type) {
				case *wait.LogStrategy:
					w.WithStartupTimeout(5 * time.Minute)
				case *wait.HTTPStrategy:
					w.WithStartupTimeout(5 * time.Minute)
				}
			}
			return nil
		}),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{
				network.MustParsePort("7687/tcp"): {{HostIP: loopback}},
				network.MustParsePort("7474/tcp"): {{HostIP: loopback}},
				network.MustParsePort("7473/tcp"): {{HostIP: loopback}},
			}
		}),
	)
	if err != nil {
		return "", "", fmt.Errorf("start %s from image %s: %w", name, image, err)
	}
	host, err := c.Host(ctx)
	if err != nil {
		return "", "", err
	}
	port, err := c.MappedPort(ctx, "7687/tcp")
	if err != nil {
		return "", "", err
	}
	// bolt://, not the module's neo4j://: a routing table would hand back the
	// container's own advertised address, port 7687 inside it, not the
	// published one.
	uri = fmt.Sprintf("bolt://%s:%s", host, port.Port())
	fmt.Fprintf(os.Stderr, "dbtest: Neo4j in container %s (%s) at %s, ready in %s\n", name, image, uri, time.Since(start).Round(time.Millisecond))
	return uri, password, nil
}

func containerPassword(name string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "cyberkg", name+".password")
	if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	pw := rand.Text()
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", err
	}
	return pw, nil
}

// lockFileNamed takes an exclusive lock on a file in the temporary folder
// and returns its release.
func lockFileNamed(name string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), name), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
