package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"cyberkg/kg"
	"cyberkg/store"
)

type compareOptions struct {
	server, baseline, peer, ops, clients string
	pprof, profileDir                    string // our server's profile listener, and where to keep its profiles
	workload                             string // uniform or zipf
	duration, warmup                     time.Duration
	rounds, args                         int
	checkOnly                            bool
}

// A target answers an op's question for one argument, in our shape.
type target struct {
	name string
	do   func(ctx context.Context, o op, a map[string]any) (any, error)
}

func compare(ctx context.Context, s *store.Store, uri, password string, ds *kg.Dataset, opt compareOptions) error {
	zipf := opt.workload == "zipf"
	if !zipf && opt.workload != "uniform" {
		return fmt.Errorf("bad -workload %q: uniform or zipf", opt.workload)
	}
	nargs := opt.args
	if zipf {
		nargs = zipfArgs
	}
	all := ops(ds, nargs)
	if opt.ops != "" {
		want := strings.Split(opt.ops, ",")
		all = slices.DeleteFunc(all, func(o op) bool { return !slices.Contains(want, o.name) })
	}
	var clients []int
	for _, c := range strings.Split(opt.clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -clients %q", opt.clients)
		}
		clients = append(clients, n)
	}
	driver, err := neo4j.NewDriverWithContext(uri, neo4j.BasicAuth("neo4j", password, ""), func(c *config.Config) {
		c.MaxConnectionPoolSize = 128
	})
	if err != nil {
		return err
	}
	defer driver.Close(ctx)
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	targets := []target{floorTarget(driver)}
	if opt.server != "" {
		targets = append(targets, graphqlTarget("ours", httpc, strings.TrimSuffix(opt.server, "/")+"/graphql", false))
	}
	if opt.baseline != "" {
		targets = append(targets, graphqlTarget("before", httpc, strings.TrimSuffix(opt.baseline, "/")+"/graphql", false))
	}
	if opt.peer != "" {
		targets = append(targets, graphqlTarget("peer", httpc, opt.peer, true))
	}
	checked := all
	if zipf {
		// Every argument of 10,000 per op to every target would take longer
		// than the measurement: the first -args of each.
		checked = make([]op, len(all))
		for i, o := range all {
			o.args = o.args[:min(opt.args, len(o.args))]
			checked[i] = o
		}
		for i := range all {
			all[i].zipf = true
		}
	}
	if err := check(ctx, checked, targets); err != nil {
		return err
	}
	if opt.checkOnly {
		return nil
	}
	// Neo4j compiles its hot paths as it goes: a target measured first would
	// meet a colder JVM than the one after it (the floor's O1 went from
	// 1,154 to 3,406 requests/s between two rounds of one run without this).
	if opt.warmup > 0 {
		most := slices.Max(clients)
		for _, o := range all {
			for _, t := range targets {
				r := measure(ctx, o, t, most, opt.warmup)
				fmt.Fprintf(os.Stderr, "warm-up %-16s %2d clients %-5s %s\n", o.name, most, t.name, r)
			}
		}
	}
	if zipf && opt.server != "" {
		f, err := startFreshness(ctx, s, ds, httpc, strings.TrimSuffix(opt.server, "/"))
		if err != nil {
			return err
		}
		defer func() {
			f.stop()
			fmt.Fprintln(os.Stdout, f)
		}()
	}
	results := map[string][]result{} // op/clients/target → one per round
	for round := 0; round < opt.rounds; round++ {
		for _, o := range all {
			for _, c := range clients {
				// Rotate who goes first, so that no target always meets a cold or a warm cache.
				for i := range targets {
					t := targets[(i+round)%len(targets)]
					var profiled func() error
					if opt.profileDir != "" && t.name == "ours" && round == opt.rounds-1 && c == clients[len(clients)-1] {
						profiled = profile(ctx, httpc, opt, o.name, c)
					}
					r := measure(ctx, o, t, c, opt.duration)
					if profiled != nil {
						if err := profiled(); err != nil {
							return err
						}
					}
					key := fmt.Sprintf("%s/%d/%s", o.name, c, t.name)
					results[key] = append(results[key], r)
					fmt.Fprintf(os.Stderr, "round %d %-16s %2d clients %-5s %s\n", round+1, o.name, c, t.name, r)
				}
			}
		}
	}
	printTable(os.Stdout, all, clients, targets, results)
	return nil
}

// check puts every argument of every op to every target and fails on the
// first answer that differs from the floor's: timings of different answers
// would compare nothing.
func check(ctx context.Context, all []op, targets []target) error {
	for _, o := range all {
		for _, a := range o.args {
			var want any
			for i, t := range targets {
				got, err := t.do(ctx, o, a)
				if err != nil {
					return fmt.Errorf("check %s %v on %s: %w", o.name, a, t.name, err)
				}
				got = normalise(got)
				if o.agree != nil {
					got = o.agree(got)
				}
				if i == 0 {
					want = got
					continue
				}
				if !reflect.DeepEqual(want, got) {
					w, _ := json.Marshal(want)
					g, _ := json.Marshal(got)
					return fmt.Errorf("check %s %v: %s answers differently from %s:\n%s: %.2000s\n%s: %.2000s", o.name, a, t.name, targets[0].name, targets[0].name, w, t.name, g)
				}
			}
		}
		fmt.Fprintf(os.Stderr, "check %-16s %d arguments: all targets agree\n", o.name, len(o.args))
	}
	return nil
}

// normalise makes values from JSON and from the driver comparable: numbers
// become float64, and so on, by a JSON round trip.
func normalise(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func floorTarget(driver neo4j.DriverWithContext) target {
	return target{name: "floor", do: func(ctx context.Context, o op, a map[string]any) (any, error) {
		if o.floorRun != nil {
			return o.floorRun(ctx, func(cypher string, params map[string]any) ([]*neo4j.Record, error) {
				res, err := neo4j.ExecuteQuery(ctx, driver, cypher, params, neo4j.EagerResultTransformer,
					neo4j.ExecuteQueryWithReadersRouting())
				if err != nil {
					return nil, err
				}
				return res.Records, nil
			}, a)
		}
		res, err := neo4j.ExecuteQuery(ctx, driver, o.floor(a), a, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithReadersRouting())
		if err != nil {
			return nil, err
		}
		if len(res.Records) != 1 {
			return nil, fmt.Errorf("floor returned %d records", len(res.Records))
		}
		d := res.Records[0].Values[0]
		if o.floorFix != nil {
			d = o.floorFix(normalise(d))
		}
		return d, nil
	}}
}

func graphqlTarget(name string, c *http.Client, url string, peer bool) target {
	return target{name: name, do: func(ctx context.Context, o op, a map[string]any) (any, error) {
		q := o.ours(a)
		if peer {
			q = o.peer(a)
		}
		body, _ := json.Marshal(map[string]any{"query": q, "variables": a})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		var out struct {
			Data   map[string]any
			Errors []struct{ Message string }
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
		}
		if len(out.Errors) > 0 {
			return nil, fmt.Errorf("%s", out.Errors[0].Message)
		}
		if peer {
			return o.peerFix(out.Data, a), nil
		}
		return out.Data, nil
	}}
}

// profile starts taking our server's CPU profile for the coming run and
// returns what ends it: waiting for that profile and taking the allocation
// profiles from before and after the run, so that `go tool pprof
// -diff_base` shows what the run allocated. Files go to opt.profileDir as
// <op>-<clients>-cpu.pprof, -allocs-before.pprof and -allocs.pprof.
func profile(ctx context.Context, c *http.Client, opt compareOptions, op string, clients int) func() error {
	base := strings.TrimSuffix(opt.pprof, "/") + "/debug/pprof/"
	prefix := fmt.Sprintf("%s/%s-%d-", opt.profileDir, op, clients)
	get := func(path, file string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := (&http.Client{Timeout: opt.duration + time.Minute}).Do(req)
		if err != nil {
			return fmt.Errorf("profile %s: %w", path, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("profile %s: HTTP %d", path, resp.StatusCode)
		}
		f, err := os.Create(prefix + file)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, resp.Body); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := os.MkdirAll(opt.profileDir, 0o755); err != nil {
		return func() error { return err }
	}
	before := get("allocs", "allocs-before.pprof")
	cpu := make(chan error, 1)
	secs := max(1, int(opt.duration/time.Second))
	go func() { cpu <- get(fmt.Sprintf("profile?seconds=%d", secs), "cpu.pprof") }()
	return func() error {
		if err := cmp.Or(before, <-cpu); err != nil {
			return err
		}
		return get("allocs", "allocs.pprof")
	}
}
