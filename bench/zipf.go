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

// freshness is what startFreshness counts.
type freshness struct {
	acked          atomic.Int64 // the last write acknowledged
	writes, probes atomic.Int64
	stale          atomic.Int64
	firstStale     atomic.Value
	stop           func()
}

// startFreshness writes once a second through our server's upsertEntity,
// as a curator would (a key of its own, made here and revoked at the end),
// changing the probe entity's description, and in between asks our server
// for that description, checking that it shows the last acknowledged write
// or a later one. The probe entity is the synthetic graph's first.
func startFreshness(ctx context.Context, s *store.Store, ds *kg.Dataset, c *http.Client, server string) (*freshness, error) {
	key, k, err := s.CreateKey(ctx, "bench-zipf", kg.RoleCurator)
	if err != nil {
		return nil, fmt.Errorf("zipf: a curator key for the writes: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	f := &freshness{}
	id := ds.Entities[0].ID
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		version := 0 // unknown: the first write reads it from its refusal
		for n := int64(1); ; n++ {
			v, ok, err := upsertDescription(ctx, c, server, key, id, "zipf write "+strconv.FormatInt(n, 10), version)
			if err == nil {
				version = v
				if ok {
					f.acked.Store(n)
					f.writes.Add(1)
				}
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
			"variables": map[string]any{"id": id}})
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
	f.stop = func() {
		cancel()
		wg.Wait()
		_, _ = s.RevokeKey(context.WithoutCancel(ctx), k.ID)
	}
	return f, nil
}

// upsertDescription sets entity id's description through the upsertEntity
// mutation, expecting version expected. It returns the entity's version
// after the call (the new one, or the current one when refused as stale)
// and whether it wrote.
func upsertDescription(ctx context.Context, c *http.Client, server, key, id, description string, expected int) (int, bool, error) {
	body, _ := json.Marshal(map[string]any{
		"query": `mutation ZipfWrite($input: UpsertEntityInput!, $v: Int!) {
			upsertEntity(input: $input, expectedVersion: $v, reason: "bench: zipf workload's write") {
				version change { id } userErrors { code message } } }`,
		"variables": map[string]any{"input": map[string]any{"id": id, "description": description}, "v": expected},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+"/graphql", bytes.NewReader(body))
	if err != nil {
		return expected, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := c.Do(req)
	if err != nil {
		return expected, false, err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			UpsertEntity struct {
				Version    *int
				Change     *struct{ ID string }
				UserErrors []struct{ Code, Message string }
			}
		}
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return expected, false, err
	}
	if len(out.Errors) > 0 {
		return expected, false, fmt.Errorf("upsertEntity: %s", out.Errors[0].Message)
	}
	p := out.Data.UpsertEntity
	if p.Version == nil {
		return expected, false, fmt.Errorf("upsertEntity: no version (%+v)", p.UserErrors)
	}
	return *p.Version, p.Change != nil && len(p.UserErrors) == 0, nil
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
