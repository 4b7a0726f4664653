package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"cyberkg/errs"
	"cyberkg/graph/model"
	"cyberkg/kg"
)

// The change feed (docs/feed.md). Each server follows the change log in
// Neo4j with one poller — Head every -feed-poll, the new changes when it
// has moved — and fans each change out to its subscribers, so a subscriber
// to any server sees every server's writes, in commit order. The poller
// runs only while someone subscribes. A subscriber that resumes (after:)
// first reads what it missed from the log itself, then the poller's live
// changes. Nothing blocks the poller: a subscriber whose buffer is full is
// cut off (closeSlow) and the others go on.

// WebSocket close codes of the feed, beside graphql-transport-ws's own
// (4400 bad request, 4403 refused at connection_init, …).
const (
	closeRevoked = 4401 // the connection's key was revoked, or its token expired
	closeSlow    = 4430 // the client fell -feed-buffer changes behind
)

type feed struct {
	log    kg.ChangeLog
	auth   *authenticator
	cfg    feedConfig
	logger *slog.Logger

	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	head    int64 // the newest Seq fanned out
	running bool
	conns   map[*feedConn]struct{}
	clients map[string]int // open connections per client

	slowClosed prometheus.Counter
}

type feedConfig struct {
	poll           time.Duration
	buffer         int
	maxSubsPerConn int
	maxPerClient   int
	maxConns       int
	keepAlive      time.Duration
	recheck        time.Duration
	accept         coderws.AcceptOptions // which origins may open a WebSocket (-cors-origins)
}

func newFeed(log kg.ChangeLog, auth *authenticator, cfg config, reg prometheus.Registerer, logger *slog.Logger) *feed {
	fc := cfg.feed
	// Browsers send an Origin with a WebSocket; the same origin is always
	// allowed, others as CORS allows them.
	for _, o := range splitList(cfg.corsOrigins) {
		if o == "*" {
			fc.accept.InsecureSkipVerify = true
		} else if u, err := url.Parse(o); err == nil && u.Host != "" {
			fc.accept.OriginPatterns = append(fc.accept.OriginPatterns, u.Host)
		}
	}
	f := &feed{log: log, auth: auth, cfg: fc, logger: logger,
		subs: map[*subscriber]struct{}{}, conns: map[*feedConn]struct{}{}, clients: map[string]int{},
		slowClosed: prometheus.NewCounter(prometheus.CounterOpts{Name: "cyberkg_feed_slow_consumers_total",
			Help: "Feed subscribers cut off for falling -feed-buffer changes behind."})}
	reg.MustRegister(f.slowClosed,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cyberkg_feed_subscriptions", Help: "Open change feed subscriptions."},
			func() float64 { f.mu.Lock(); defer f.mu.Unlock(); return float64(len(f.subs)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cyberkg_feed_connections", Help: "Open change feed connections (WebSocket and SSE)."},
			func() float64 { f.mu.Lock(); defer f.mu.Unlock(); return float64(len(f.conns)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cyberkg_feed_following", Help: "1 while this server follows the change log (someone subscribes), else 0."},
			func() float64 {
				f.mu.Lock()
				defer f.mu.Unlock()
				if f.running {
					return 1
				}
				return 0
			}))
	return f
}

type subscriber struct {
	filter kg.ChangeFilter
	ch     chan kg.Change
	conn   *feedConn
	gone   chan struct{} // closed when the poller drops it
}

// Subscribe follows the log for one subscription: the changes after after
// (when given) that match f, then live ones, until ctx ends. Its errors
// (a cursor not retained, too many subscriptions) come before any change.
func (f *feed) Subscribe(ctx context.Context, after *int64, filter kg.ChangeFilter, show func(kg.Change) *model.Change) (<-chan *model.Change, error) {
	conn := connFrom(ctx)
	if conn != nil && int(conn.subs.Add(1)) > f.cfg.maxSubsPerConn {
		conn.subs.Add(-1)
		return nil, errs.Invalidf("this connection already has %d subscriptions, the most it may (-feed-max-subscriptions)", f.cfg.maxSubsPerConn)
	}
	release := func() {
		if conn != nil {
			conn.subs.Add(-1)
		}
	}
	sub := &subscriber{filter: filter, ch: make(chan kg.Change, f.cfg.buffer), conn: conn, gone: make(chan struct{})}
	// While the poller runs, the Seq it has fanned out up to is where a new
	// subscriber starts: no read of the log's head for each of a thousand
	// clients subscribing at once (they emptied the driver's pool). Only
	// the subscriber that starts the poller reads it.
	from, ok := f.add(sub, nil)
	if !ok {
		head, err := f.log.Head(ctx)
		if err != nil {
			release()
			return nil, err
		}
		from, _ = f.add(sub, &head)
	}
	if after != nil && *after > from {
		// Ahead of what the poller has fanned out: maybe in the log
		// already, maybe not yet.
		head, err := f.log.Head(ctx)
		if err == nil && *after > head {
			err = errs.Invalidf("after: change %d is not in the log yet (the newest is %d)", *after, head)
		}
		if err != nil {
			f.remove(sub)
			release()
			return nil, err
		}
	}

	// What was missed, read from the log: its first page now, so that a
	// cursor the log no longer holds is this call's error.
	var missed []kg.Change
	if after != nil && *after < from {
		var err error
		if missed, err = f.log.ChangesAfter(ctx, *after, filter, catchUpPage); err != nil {
			f.remove(sub)
			release()
			return nil, err
		}
	}
	out := make(chan *model.Change)
	go func() {
		defer close(out)
		defer release()
		defer f.remove(sub)
		last := from
		if after != nil {
			last = max(from, *after)
			if !f.catchUp(ctx, out, show, missed, from, filter) {
				return
			}
		}
		for {
			select {
			case c := <-sub.ch:
				if c.Seq <= last {
					continue // already sent while catching up
				}
				select {
				case out <- show(c):
					last = c.Seq
				case <-ctx.Done():
					return
				}
			case <-sub.gone:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

const catchUpPage = 200

// catchUp sends the matching changes up to upto, from the page already
// read on; false when ctx ended first.
func (f *feed) catchUp(ctx context.Context, out chan<- *model.Change, show func(kg.Change) *model.Change, page []kg.Change, upto int64, filter kg.ChangeFilter) bool {
	for {
		for _, c := range page {
			if c.Seq > upto {
				return true
			}
			select {
			case out <- show(c):
			case <-ctx.Done():
				return false
			}
		}
		if len(page) < catchUpPage {
			return true
		}
		var err error
		if page, err = f.log.ChangesAfter(ctx, page[len(page)-1].Seq, filter, catchUpPage); err != nil {
			f.logger.Warn("feed: catching up", "err", err)
			return false
		}
	}
}

// add registers sub and returns the Seq from which the poller delivers to
// it. When the poller is not running it starts it from head, the log's
// head just read; without one it registers nothing and returns false.
func (f *feed) add(sub *subscriber, head *int64) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running {
		if head == nil {
			return 0, false
		}
		f.running, f.head = true, *head
		go f.poll()
	}
	f.subs[sub] = struct{}{}
	return f.head, true
}

func (f *feed) remove(sub *subscriber) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, sub)
}

// poll follows the log while anyone subscribes, and checks now and then
// that the credentials of open connections are still good.
func (f *feed) poll() {
	ctx := context.Background()
	tick := time.NewTicker(f.cfg.poll)
	defer tick.Stop()
	recheck := time.Now()
	for range tick.C {
		f.mu.Lock()
		if len(f.subs) == 0 {
			f.running = false
			f.mu.Unlock()
			return
		}
		since := f.head
		f.mu.Unlock()

		if err := f.follow(ctx, since); err != nil {
			f.logger.Warn("feed: following the change log", "err", err)
		}
		if f.cfg.recheck > 0 && time.Since(recheck) >= f.cfg.recheck {
			f.recheckCredentials(ctx)
			recheck = time.Now()
		}
	}
}

// follow fans out every change after since: Head first, which is all a
// poll at rest costs.
func (f *feed) follow(ctx context.Context, since int64) error {
	head, err := f.log.Head(ctx)
	if err != nil || head <= since {
		return err
	}
	for since < head {
		cs, err := f.log.ChangesAfter(ctx, since, kg.ChangeFilter{}, catchUpPage)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			break
		}
		for _, c := range cs {
			f.fanOut(c)
		}
		since = cs[len(cs)-1].Seq
	}
	return nil
}

func (f *feed) fanOut(c kg.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		if !matches(c, sub.filter) {
			continue
		}
		select {
		case sub.ch <- c:
		default: // full: cut it off rather than wait for it
			delete(f.subs, sub)
			close(sub.gone)
			f.slowClosed.Inc()
			if sub.conn != nil {
				go sub.conn.close(closeSlow, fmt.Sprintf("slow consumer: fell %d changes behind", f.cfg.buffer))
			}
		}
	}
	f.head = c.Seq
}

// matches is ChangeFilter's meaning (kg.ChangeFilter), as the store applies
// it to ChangesAfter.
func matches(c kg.Change, f kg.ChangeFilter) bool {
	if f.Actor != "" && c.Actor.ID != f.Actor {
		return false
	}
	hasEntity, hasType, hasKind := f.Entity == "", len(f.Types) == 0, len(f.Kinds) == 0
	for _, it := range c.Items {
		hasEntity = hasEntity || slices.Contains(it.Entities, f.Entity)
		hasType = hasType || (it.RelType != "" && slices.Contains(f.Types, it.RelType))
		hasKind = hasKind || slices.Contains(f.Kinds, it.Kind)
	}
	return hasEntity && hasType && hasKind
}

// recheckCredentials closes the connections whose key has been revoked (or
// token expired) since they opened: once per distinct credential.
func (f *feed) recheckCredentials(ctx context.Context) {
	f.mu.Lock()
	byCred := map[string][]*feedConn{}
	for c := range f.conns {
		if a := c.authorization(); a != "" {
			byCred[a] = append(byCred[a], c)
		}
	}
	f.mu.Unlock()
	for cred, conns := range byCred {
		_, err := f.auth.check(ctx, cred)
		if k := errs.KindOf(err); k == errs.Unauthenticated || k == errs.Forbidden {
			for _, c := range conns {
				c.close(closeRevoked, "credentials no longer valid: revoked or expired")
			}
		}
	}
}

// feedConn is one WebSocket or SSE connection of the feed: what its limits
// count and what closing it needs.
type feedConn struct {
	client string
	subs   atomic.Int32

	mu     sync.Mutex
	auth   string                   // the credentials it was opened with, checked again now and then
	ws     transport.WebsocketConn  // a WebSocket's, once accepted
	cancel context.CancelCauseFunc  // ends the request (SSE) and the connection's subscriptions
	rc     *http.ResponseController // SSE: unblocks a write to a client that does not read
	closed bool
}

type feedConnKey struct{}

func connFrom(ctx context.Context) *feedConn {
	c, _ := ctx.Value(feedConnKey{}).(*feedConn)
	return c
}

func (c *feedConn) authorization() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.auth
}

func (c *feedConn) setAuthorization(a string) {
	c.mu.Lock()
	c.auth = a
	c.mu.Unlock()
}

// close ends the connection: a WebSocket with code and reason, an SSE
// response by ending it.
func (c *feedConn) close(code int, reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	ws := c.ws
	c.mu.Unlock()
	if ws != nil {
		ws.WriteClose(code, reason)
		// A client that does not read may never take the close frame; the
		// handshake gives up after a few seconds and drops the connection.
	} else if c.rc != nil {
		c.rc.SetWriteDeadline(time.Now())
	}
	c.cancel(errors.New(reason))
}

// middleware admits a feed connection (WebSocket or SSE) within the
// limits, and gives it a feedConn in its context.
func (f *feed) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := kg.ActorFromContext(r.Context()).ID
		if client == "" {
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				host = r.RemoteAddr
			}
			client = "addr:" + host
		}
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		conn := &feedConn{client: client, auth: r.Header.Get("Authorization"), cancel: cancel}
		f.mu.Lock()
		switch {
		case len(f.conns) >= f.cfg.maxConns:
			f.mu.Unlock()
			w.Header().Set("Retry-After", "30")
			writeJSON(w, http.StatusServiceUnavailable, gqlErrors(fmt.Sprintf("the change feed has as many connections as it takes (%d, -feed-max-connections); try again later", f.cfg.maxConns), "FEED_FULL"))
			return
		case f.clients[client] >= f.cfg.maxPerClient:
			f.mu.Unlock()
			w.Header().Set("Retry-After", "30")
			writeJSON(w, http.StatusTooManyRequests, gqlErrors(fmt.Sprintf("this client already has %d feed connections, the most it may (-feed-max-connections-per-client)", f.cfg.maxPerClient), "RATE_LIMITED"))
			return
		}
		f.conns[conn] = struct{}{}
		f.clients[client]++
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.conns, conn)
			if f.clients[client]--; f.clients[client] <= 0 {
				delete(f.clients, client)
			}
			f.mu.Unlock()
		}()
		// A stream outlives the server's read and write timeouts, which
		// are for requests.
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Time{})
		rc.SetWriteDeadline(time.Time{})
		if !isWebSocketUpgrade(r) {
			conn.rc = rc
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, feedConnKey{}, conn)))
	})
}

// isStream reports whether r opens a feed connection: a WebSocket upgrade,
// or a POST asking for server-sent events.
func isStream(r *http.Request) bool {
	return isWebSocketUpgrade(r) || (r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream"))
}

// transports are the feed's two: graphql-transport-ws over WebSocket,
// authenticated at connection_init when the upgrade carried no
// credentials, and graphql-sse's distinct connections over POST.
func (f *feed) transports() (transport.Websocket, transport.SSE) {
	ws := transport.Websocket{
		Implementation:        acceptingWebsocket{transport.CoderWebsocketImplementation{AcceptOptions: f.cfg.accept}},
		KeepAlivePingInterval: f.cfg.keepAlive, // graphql-ws, the older protocol
		PingPongInterval:      f.cfg.keepAlive, // graphql-transport-ws
		InitTimeout:           10 * time.Second,
		InitFunc:              f.initConnection,
	}
	return ws, transport.SSE{KeepAlivePingInterval: f.cfg.keepAlive}
}

// initConnection authenticates a WebSocket at connection_init: with the
// payload's "Authorization" (or "authorization", or "token") when there
// is one, else as the upgrade request was.
func (f *feed) initConnection(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	cred := payload.Authorization()
	if cred == "" {
		cred = payload.GetString("authorization")
	}
	if cred == "" {
		if t := payload.GetString("token"); t != "" {
			cred = "Bearer " + t
		}
	}
	if cred != "" {
		actor, err := f.auth.actor(ctx, cred)
		if err != nil {
			return refuseInit(ctx, "unauthenticated: the credentials are not valid"), nil, err
		}
		if c := connFrom(ctx); c != nil {
			c.setAuthorization(cred)
		}
		return kg.NewContextWithActor(ctx, actor), nil, nil
	}
	if kg.ActorFromContext(ctx).ID == "" && !f.auth.anonymousReads {
		return refuseInit(ctx, `unauthenticated: no anonymous reads; send {"Authorization": "Bearer <key>"} in connection_init`), nil,
			errors.New(`this server does not answer anonymous requests: send {"Authorization": "Bearer <API key or token>"} as the connection_init payload`)
	}
	return ctx, nil, nil
}

// refuseInit closes a WebSocket refused at connection_init with 4403, as
// graphql-transport-ws recommends, and a reason (at most 123 bytes).
func refuseInit(ctx context.Context, reason string) context.Context {
	return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4403), reason)
}

// acceptingWebsocket is gqlgen's WebSocket implementation, keeping hold of
// each connection so that the feed can close it with a code of its own.
type acceptingWebsocket struct {
	transport.CoderWebsocketImplementation
}

func (a acceptingWebsocket) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	ws, err := a.CoderWebsocketImplementation.Accept(w, r, o)
	if c := connFrom(r.Context()); err == nil && c != nil {
		c.mu.Lock()
		c.ws = ws
		c.mu.Unlock()
	}
	return ws, err
}

// routeStreams sends the feed's connections to streams, everything else to
// next: a stream needs neither the body limit nor the per-request state,
// and must keep the connection's Hijacker and Flusher.
func routeStreams(streams, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) {
			streams.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
