package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"
)

// result is one closed-loop run: every client sends its next request as
// soon as the previous one is answered, for a fixed duration.
type result struct {
	requests, errors int
	rate             float64 // requests per second
	p50, p95, p99    time.Duration
	firstErr         error
}

func (r result) String() string {
	s := fmt.Sprintf("%8.1f req/s  p50 %7.2f  p95 %7.2f  p99 %7.2f ms  (%d requests)", r.rate, ms(r.p50), ms(r.p95), ms(r.p99), r.requests)
	if r.errors > 0 {
		s += fmt.Sprintf("  %d ERRORS, first: %v", r.errors, r.firstErr)
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func measure(ctx context.Context, o op, t target, clients int, d time.Duration) result {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		lat   []time.Duration
		res   result
		wg    sync.WaitGroup
		start = time.Now()
		end   = start.Add(d)
	)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []time.Duration
			var errs int
			var firstErr error
			// Each client walks the arguments from its own offset, or
			// draws them Zipf-like from a seed of its own.
			next := func(i int) int { return i % len(o.args) }
			if o.zipf {
				pick := zipfPick(uint64(c+1), len(o.args))
				next = func(int) int { return pick() }
			}
			for i := c * len(o.args) / clients; time.Now().Before(end); i++ {
				t0 := time.Now()
				_, err := t.do(ctx, o, o.args[next(i)])
				if err != nil {
					errs++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	res.requests = len(lat)
	res.rate = float64(len(lat)) / elapsed.Seconds()
	res.p50, res.p95, res.p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
	return res
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}

// printTable prints, per op and client count, each target's median over
// the rounds of throughput and p50, and the ratios the issue asks about.
func printTable(w io.Writer, all []op, clients []int, targets []target, results map[string][]result) {
	fmt.Fprintf(w, "| operation | clients |")
	for _, t := range targets {
		fmt.Fprintf(w, " %s req/s | %s p50 / p95 ms |", t.name, t.name)
	}
	fmt.Fprintf(w, " ours ÷ floor req/s | ours ÷ peer req/s | ours p50 ÷ peer p50 | ours p50 ÷ floor p50 | ours ÷ before req/s |\n|---|---|")
	for range targets {
		fmt.Fprintf(w, "---|---|")
	}
	fmt.Fprintf(w, "---|---|---|---|---|\n")
	for _, o := range all {
		for _, c := range clients {
			fmt.Fprintf(w, "| %s | %d |", o.name, c)
			med := map[string]result{}
			for _, t := range targets {
				rs := results[fmt.Sprintf("%s/%d/%s", o.name, c, t.name)]
				m := median(rs)
				med[t.name] = m
				errs := ""
				if m.errors > 0 {
					errs = fmt.Sprintf(" (%d errors)", m.errors)
				}
				fmt.Fprintf(w, " %.1f%s | %.1f / %.1f |", m.rate, errs, ms(m.p50), ms(m.p95))
			}
			ratio := func(a, b float64) string {
				if a == 0 || b == 0 {
					return "–"
				}
				return fmt.Sprintf("%.2f×", a/b)
			}
			fmt.Fprintf(w, " %s | %s | %s | %s | %s |\n", ratio(med["ours"].rate, med["floor"].rate), ratio(med["ours"].rate, med["peer"].rate), ratio(ms(med["ours"].p50), ms(med["peer"].p50)),
				ratio(ms(med["ours"].p50), ms(med["floor"].p50)), ratio(med["ours"].rate, med["before"].rate))
		}
	}
}

// median picks the round with the median throughput.
func median(rs []result) result {
	if len(rs) == 0 {
		return result{}
	}
	rs = slices.Clone(rs)
	sort.Slice(rs, func(i, j int) bool { return rs[i].rate < rs[j].rate })
	return rs[len(rs)/2]
}
