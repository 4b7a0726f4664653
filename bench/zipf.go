package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cyberkg/kg"
	"cyberkg/store"
	"cyberkg/synth"
)

// The zipf workload asks what a public deployment is asked: a few
// arguments very often, most rarely (each op's arguments drawn Zipf-like
// from zipfArgs), while the graph changes once a second. It measures the
// response cache; its own check (freshness) counts the answers of our
// server that are older than the last write acknowledged before they were
// asked, which must be none.
const (
	zipfArgs = 10_000
	zipfS    = 1.1 // the exponent: the commonest argument is asked about a sixth of the time
)

// zipfPick returns a per-client source of argument indexes.
func zipfPick(seed uint64, n int) func() int {
	z := rand.NewZipf(rand.New(rand.NewPCG(seed, 7)), zipfS, 1, uint64(n-1))
	return func() int { return int(z.Uint64()) }
}

// freshness writes once a second and probes our server in between.
type freshness struct {
	acked          atomic.Int64 // the last write acknowledged
	writes, probes atomic.Int64
	stale          atomic.Int64
	firstStale     atomic.Value
	stop           func()
}

// probeEntity is the entity whose description the writes change: the
// first of the synthetic graph, with its source, which validation needs.
func probeDataset(ds *kg.Dataset, n int64) *kg.Dataset {
	e := ds.Entities[0]
	e.Description = "zipf write " + strconv.FormatInt(n, 10)
	out := &kg.Dataset{Sources: ds.Sources, Entities: []kg.Entity{e}}
	for _, s := range ds.Entities {
		if s.ID == synth.Source && s.ID != e.ID {
			out.Entities = append(out.Entities, s)
		}
	}
	return out
}

// startFreshness writes through the store (one transaction each, which
// moves the graph's version) and asks our server for the probe entity's
// description, checking that it shows the last acknowledged write or a
// later one.
func startFreshness(ctx context.Context, s *store.Store, ds *kg.Dataset, c *http.Client, server string) *freshness {
	ctx, cancel := context.WithCancel(ctx)
	f := &freshness{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for n := int64(1); ; n++ {
			if err := s.Write(ctx, probeDataset(ds, n)); err == nil {
				f.acked.Store(n)
				f.writes.Add(1)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	go func() {
		defer wg.Done()
		body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { entity(id: $id) { description } }`,
			"variables": map[string]any{"id": ds.Entities[0].ID}})
		for ctx.Err() == nil {
			before := f.acked.Load()
			seen, err := probe(ctx, c, server, body)
			if err == nil {
				f.probes.Add(1)
				if seen < before {
					f.stale.Add(1)
					f.firstStale.CompareAndSwap(nil, fmt.Sprintf("saw write %d after write %d was acknowledged", seen, before))
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	f.stop = func() { cancel(); wg.Wait() }
	return f
}

func probe(ctx context.Context, c *http.Client, server string, body []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+"/graphql", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ Entity struct{ Description string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, err
	}
	d := out.Data.Entity.Description
	if !strings.HasPrefix(d, "zipf write ") {
		return 0, nil // before the first write
	}
	return strconv.ParseInt(strings.TrimPrefix(d, "zipf write "), 10, 64)
}

func (f *freshness) String() string {
	s := fmt.Sprintf("freshness: %d writes acknowledged, %d probes of our server, %d answers older than the last acknowledged write",
		f.writes.Load(), f.probes.Load(), f.stale.Load())
	if v := f.firstStale.Load(); v != nil {
		s += " (first: " + v.(string) + ")"
	}
	return s
}
