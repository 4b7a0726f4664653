package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
)

// Neo4j's health as the store knows it. A monitor goroutine makes a real
// round trip (RETURN 1) every HealthInterval; its outcomes are what Ready
// reports and what gates every transaction. The driver's own
// VerifyConnectivity is not enough: it passes as soon as Bolt accepts a
// handshake, while queries can still fail.
//
// A check that fails (connection refused or reset, database unavailable,
// authentication refused) marks Neo4j down at once. One that only runs out
// of HealthTimeout may be a busy machine rather than a dead database, and
// failing every request on a false alarm would do more harm than the slow
// ones; so it takes timeoutsToDown of them in a row, and does not count at
// all while transactions still complete: under 64 clients of shortest
// paths at 1M entities, RETURN 1 waited over 2 s behind them, and a
// database that answered every query was declared down.
//
// While Neo4j is known to be down, transactions fail at once with
// errs.Unavailable instead of waiting on connection timeouts and the
// driver's retries; transactions already running when it goes down are
// cancelled. The monitor keeps probing, so the first probe that succeeds
// after Neo4j returns opens the gate again (the half-open step of a circuit
// breaker, taken by the probe rather than by a user's request).

const (
	defaultHealthInterval = 500 * time.Millisecond
	defaultHealthTimeout  = 2 * time.Second
	timeoutsToDown        = 2
)

type healthState int

const (
	stateUnknown healthState = iota // no round trip has finished yet: transactions may try
	stateUp
	stateDown
)

// errDown is the cause given to transactions cancelled because Neo4j went down.
var errDown = errors.New("neo4j went down")

type health struct {
	interval, timeout time.Duration
	changed           func(error) // told of every change: nil when Neo4j is up again

	lastAnswer atomic.Int64 // when a transaction last completed, in Unix nanoseconds

	mu       sync.Mutex
	state    healthState
	lastErr  error
	timeouts int // checks in a row that ran out of time
	// upCtx lives while Neo4j is not known to be down; transactions are
	// bound to it so that going down cancels them.
	upCtx    context.Context
	cancelUp context.CancelCauseFunc

	kick chan struct{} // a transaction failed as if Neo4j were down: probe now
	stop context.CancelFunc
	done chan struct{}
}

func newHealth(cfg Config) *health {
	h := &health{
		interval: cfg.HealthInterval,
		timeout:  cfg.HealthTimeout,
		changed:  cfg.HealthChanged,
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	if h.interval <= 0 {
		h.interval = defaultHealthInterval
	}
	if h.timeout <= 0 {
		h.timeout = defaultHealthTimeout
	}
	if h.changed == nil {
		h.changed = func(error) {}
	}
	h.upCtx, h.cancelUp = context.WithCancelCause(context.Background())
	return h
}

// monitor probes Neo4j until Close: every interval, and at once when a
// transaction fails as if Neo4j were unreachable.
func (s *Store) monitor() {
	h := s.health
	ctx, stop := context.WithCancel(context.Background())
	h.stop = stop
	go func() {
		defer close(h.done)
		tick := time.NewTicker(h.interval)
		defer tick.Stop()
		for {
			pctx, cancel := context.WithTimeout(ctx, h.timeout)
			s.Ping(pctx)
			cancel()
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-h.kick:
			}
		}
	}()
}

// stopMonitor ends the monitor and waits for its last probe.
func (h *health) stopMonitor() {
	h.stop()
	<-h.done
}

// Ping makes one real round trip to Neo4j (RETURN 1 in an auto-commit read,
// which the driver does not retry) and records the outcome as the store's
// health.
func (s *Store) Ping(ctx context.Context) error {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead, DatabaseName: s.db})
	defer session.Close(ctx)
	res, err := session.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Single(ctx)
	}
	if err != nil {
		err = errs.E("store.Ping", errs.Unavailable, fmt.Errorf("neo4j does not answer: %w", err))
	}
	// A caller that gave up (the store closing) learnt nothing of Neo4j.
	if !errors.Is(ctx.Err(), context.Canceled) {
		s.health.record(err, err != nil && ctx.Err() != nil)
	}
	return err
}

// Ready is nil when the latest health check's round trip worked.
func (s *Store) Ready() error {
	h := s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	switch h.state {
	case stateUp:
		return nil
	case stateDown:
		return h.lastErr
	default:
		return errs.E("store.Ready", errs.Unavailable, errors.New("neo4j not checked yet"))
	}
}

// answered notes that Neo4j completed a transaction just now.
func (h *health) answered() { h.lastAnswer.Store(time.Now().UnixNano()) }

// record sets the state from a check's outcome.
func (h *health) record(err error, timedOut bool) {
	if timedOut && time.Since(time.Unix(0, h.lastAnswer.Load())) < h.timeout+h.interval {
		return // busy, not down: transactions complete while the probe waits
	}
	h.mu.Lock()
	from := h.state
	h.lastErr = err
	if h.timeouts++; !timedOut {
		h.timeouts = 0
	}
	switch {
	case err != nil && from != stateDown && (!timedOut || h.timeouts >= timeoutsToDown):
		h.state = stateDown
		h.cancelUp(errDown)
	case err == nil && from != stateUp:
		if from == stateDown {
			h.upCtx, h.cancelUp = context.WithCancelCause(context.Background())
		}
		h.state = stateUp
	}
	to := h.state
	h.mu.Unlock()
	if to != from {
		h.changed(err)
	}
}

// enter lets a transaction through unless Neo4j is known to be down; the
// context it returns is cancelled if Neo4j goes down while the transaction
// runs, and release must be called when it ends.
func (h *health) enter(ctx context.Context, op string) (_ context.Context, release func(), _ error) {
	h.mu.Lock()
	state, lastErr, upCtx := h.state, h.lastErr, h.upCtx
	h.mu.Unlock()
	if state == stateDown {
		return nil, nil, errs.E(op, errs.Unavailable, fmt.Errorf("neo4j is down, not trying: %w", lastErr))
	}
	ctx, cancel := context.WithCancelCause(ctx)
	unbind := context.AfterFunc(upCtx, func() { cancel(context.Cause(upCtx)) })
	return ctx, func() { unbind(); cancel(nil) }, nil
}

// after asks for a probe now when a transaction failed as if Neo4j were
// unreachable, so an outage is noticed on the first failed request rather
// than at the next tick. It returns err, saying why when the transaction was
// cancelled because Neo4j went down.
func (h *health) after(ctx context.Context, op string, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errDown) {
		return errs.E(op, errs.Unavailable, errDown)
	}
	if errs.KindOf(err) == errs.Unavailable {
		select {
		case h.kick <- struct{}{}:
		default:
		}
	}
	return err
}
