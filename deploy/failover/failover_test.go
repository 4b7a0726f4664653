//go:build containers

// Package failover holds the scale-out test: three API replicas behind
// HAProxy (docker-compose.yml, profile scale) under steady load, one stopped
// gracefully and another killed. scripts/test-containers brings the stack up
// and runs it with FAILOVER_URL (the proxy) and FAILOVER_COMPOSE_PROJECT set;
// the build tag keeps it out of `go test ./...`, which has no such stack.
package failover

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The read every client sends: idempotent, so a client may retry it.
const query = `{"query":"{ search(text: \"snowden\", first: 3) { entity { id name } } }"}`

const (
	clients     = 8
	maxAttempts = 3
)

// phase counts what the clients saw while one thing happened.
type phase struct {
	name                    string
	sent, failedFirst, lost atomic.Int64 // requests; first attempts that failed; requests failed after every retry
	mu                      sync.Mutex
	by                      map[string]int // successful answers by replica (X-Served-By)
	errors                  map[string]int
}

func (p *phase) record(by string) {
	p.mu.Lock()
	p.by[by]++
	p.mu.Unlock()
}

func (p *phase) fail(why string) {
	p.mu.Lock()
	p.errors[why]++
	p.mu.Unlock()
}

func (p *phase) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var names []string
	for n := range p.by {
		names = append(names, n)
	}
	sort.Strings(names)
	var by []string
	for _, n := range names {
		by = append(by, fmt.Sprintf("%s %d", n, p.by[n]))
	}
	return fmt.Sprintf("%-28s sent %5d  failed on first attempt %3d  failed after retries %d  answered by: %s  errors: %v",
		p.name, p.sent.Load(), p.failedFirst.Load(), p.lost.Load(), strings.Join(by, ", "), p.errors)
}

func TestFailover(t *testing.T) {
	url := os.Getenv("FAILOVER_URL")
	project := os.Getenv("FAILOVER_COMPOSE_PROJECT")
	if url == "" || project == "" {
		t.Fatal("FAILOVER_URL and FAILOVER_COMPOSE_PROJECT must name the scale profile's proxy and compose project (scripts/test-containers)")
	}
	client := &http.Client{Timeout: 30 * time.Second} // longer than the proxy's server timeout

	var current atomic.Pointer[phase]
	newPhase := func(name string) *phase {
		p := &phase{name: name, by: map[string]int{}, errors: map[string]int{}}
		current.Store(p)
		return p
	}
	// The first phase exists before any client runs: a client reads it at once.
	steady := newPhase("all three replicas")
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	deadline := time.Now().Add(3 * time.Minute) // bounded whatever happens
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				// A request belongs to the phase in which its first attempt
				// ended, not the one in which it began: each phase starts just
				// before its stop or kill, so a request in flight when api3 is
				// killed is the kill's, though it was sent while api2 drained.
				by, err := ask(client, url)
				p := current.Load()
				p.sent.Add(1)
				for attempt := 1; err != nil; attempt++ {
					p.fail(err.Error())
					if attempt == 1 {
						p.failedFirst.Add(1)
					}
					if attempt == maxAttempts {
						p.lost.Add(1)
						break
					}
					time.Sleep(100 * time.Millisecond)
					by, err = ask(client, url)
				}
				if err == nil {
					p.record(by)
				}
				time.Sleep(20 * time.Millisecond) // steady, not flat out: about 40 requests/s per client at most
			}
		}()
	}

	time.Sleep(4 * time.Second)

	graceful := newPhase("api2 stopped (SIGTERM)")
	compose(t, project, "api2", "stop", "-t", "30") // returns once it has exited
	time.Sleep(3 * time.Second)

	killed := newPhase("api3 killed (SIGKILL)")
	compose(t, project, "api3", "kill", "-s", "KILL")
	time.Sleep(5 * time.Second)

	survivor := newPhase("api1 alone")
	time.Sleep(4 * time.Second)
	stop()
	wg.Wait()

	for _, p := range []*phase{steady, graceful, killed, survivor} {
		t.Log(p)
	}
	if len(steady.by) != 3 {
		t.Errorf("before the failures, answers came from %v, want all three replicas", steady.by)
	}
	// Draining: readiness went 503, the proxy took api2 out, then it finished
	// what it had: not one request failed, not even on its first attempt.
	if n := graceful.failedFirst.Load(); n != 0 {
		t.Errorf("%d requests failed while api2 stopped gracefully, want none", n)
	}
	// SIGKILL: only what api2 had in flight can fail (at most one per client),
	// and a retry of the read on another replica answers it.
	if n := killed.failedFirst.Load(); n > clients {
		t.Errorf("%d requests failed when api3 was killed, more than the %d that can be in flight", n, clients)
	}
	for _, p := range []*phase{steady, graceful, killed, survivor} {
		if n := p.lost.Load(); n != 0 {
			t.Errorf("%s: %d requests failed even after %d attempts", p.name, n, maxAttempts)
		}
	}
	for name := range survivor.by {
		if name != "api1" {
			t.Errorf("after api2 stopped and api3 died, %s still answered %d requests", name, survivor.by[name])
		}
	}
	if survivor.by["api1"] == 0 {
		t.Error("api1 answered nothing once alone")
	}
}

// ask sends the query once and returns which replica answered.
func ask(client *http.Client, url string) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(query))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("transport: %T", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("reading the body: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var out struct {
		Data struct {
			Search []struct{ Entity struct{ ID string } } `json:"search"`
		} `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Errors) > 0 || len(out.Data.Search) == 0 {
		return "", fmt.Errorf("bad answer: %s", bytes.TrimSpace(body))
	}
	return resp.Header.Get("X-Served-By"), nil
}

// compose runs `docker <verb> <the service's container>` for one service
// of the project, found by compose's labels (the same for Debian's
// docker-compose and the compose plugin).
func compose(t *testing.T, project, service string, verb ...string) {
	t.Helper()
	out, err := exec.Command("docker", "ps", "-q",
		"--filter", "label=com.docker.compose.project="+project,
		"--filter", "label=com.docker.compose.service="+service).Output()
	id := strings.TrimSpace(string(out))
	if err != nil || id == "" || strings.Contains(id, "\n") {
		t.Fatalf("no single running container for %s in %s: %v %q", service, project, err, out)
	}
	args := append(append([]string{}, verb...), id)
	if out, err := exec.Command("docker", args...).CombinedOutput(); err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
