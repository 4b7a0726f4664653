package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/felixge/httpsnoop"
	"github.com/go-chi/httprate"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"

	"cyberkg/graph/plan"
	"cyberkg/kg"
)

// limitBody answers 413 to a body over max bytes: at once when its declared
// length is over, before reading a byte of it, and after reading max+1 bytes
// when its length is not declared (chunked). The GraphQL transports would
// answer 200 with an error instead.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			tooLarge(w, max)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		if r.ContentLength < 0 && r.Body != http.NoBody {
			b, err := io.ReadAll(r.Body)
			if mbe := new(http.MaxBytesError); errors.As(err, &mbe) {
				tooLarge(w, max)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, max int64) {
	w.Header().Set("Connection", "close") // the rest of the body is not read
	writeJSON(w, http.StatusRequestEntityTooLarge, gqlErrors("request body is over the limit of "+strconv.FormatInt(max, 10)+" bytes", "PAYLOAD_TOO_LARGE"))
}

// preventCSRF refuses GraphQL requests a cross-site page could make without
// a CORS preflight, as Apollo Router's CSRF prevention does: a GET (or a
// POST whose Content-Type is one of the "simple" ones a form can send) must
// carry one of headers, which a browser only sends cross-site after a
// preflight the CORS policy decides. No headers turns the check off.
func preventCSRF(headers []string, next http.Handler) http.Handler {
	if len(headers) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || !simpleRequest(r) {
			next.ServeHTTP(w, r)
			return
		}
		for _, h := range headers {
			if r.Header.Get(h) != "" {
				next.ServeHTTP(w, r)
				return
			}
		}
		writeJSON(w, http.StatusBadRequest, gqlErrors("this request could have been sent by a cross-site page (CSRF): "+
			"send it with a Content-Type of application/json, or with one of these headers: "+strings.Join(headers, ", "), "CSRF_PREVENTED"))
	})
}

// simpleRequest reports whether a browser would send r cross-site without a
// preflight: no Content-Type, or one of the three a form can send.
func simpleRequest(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	switch strings.TrimSpace(mt) {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return true
	}
	return false
}

// gqlErrors is a GraphQL-shaped error body for answers the HTTP layer gives
// before GraphQL runs.
func gqlErrors(msg, code string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}}}
}

// Rate limits by cost. Each client has a bucket of points that refills at
// its budget per window (a token bucket, golang.org/x/time/rate): a request
// takes as many points as its GraphQL cost (graph/plan) in hundreds, at
// least one, so an analyst's small lookups cost 1 each and a page of
// pages up to 500, as GitHub's GraphQL API counts points. A client is its
// credentials' actor (key or token) with the larger budget, else its address
// (IPv6 by /64). Buckets live in each server's memory: behind a load
// balancer of n servers a client can spend up to n budgets (docs/access.md).
type rateLimiter struct {
	anonymous, keyed int // points per window
	window           time.Duration
	limitLoopback    bool

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

// pointCost is the cost that makes one point: RootCost, a root field that
// reads one entity.
const pointCost = plan.RootCost

// exportPoints is what one export (GET /export/…) costs: as much as the
// costliest GraphQL request the default -max-cost lets through.
const exportPoints = 500

func newRateLimiter(cfg config) *rateLimiter {
	if cfg.rateLimit <= 0 {
		return nil
	}
	return &rateLimiter{anonymous: cfg.rateLimit, keyed: max(cfg.rateLimitKeys, cfg.rateLimit), window: cfg.rateWindow,
		limitLoopback: cfg.rateLimitLoopback, buckets: map[string]*rate.Limiter{}}
}

// rateCharge is one request's account with its client's bucket, carried in
// its context from the middleware to the GraphQL extension that charges the
// operation's cost once it is known.
type rateCharge struct {
	bucket *rate.Limiter
	budget int
	window time.Duration

	mu         sync.Mutex // a WebSocket connection's operations share it
	refused    bool
	retryAfter time.Duration
}

type chargeKey struct{}

// middleware refuses a client whose bucket is empty at once, charges fixed
// points when the route's cost is known beforehand (exports; 0 for
// GraphQL, which chargeOperation charges), and sets the RateLimit headers
// (IETF draft httpapi-ratelimit-headers) on every answer.
func (rl *rateLimiter) middleware(fixed int, next http.Handler) http.Handler {
	if rl == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client, budget, limited := rl.client(r)
		if !limited {
			next.ServeHTTP(w, r)
			return
		}
		ch := &rateCharge{bucket: rl.bucket(client, budget), budget: budget, window: rl.window}
		if !ch.take(max(fixed, 1), fixed > 0) {
			ch.writeHeaders(w.Header())
			writeJSON(w, http.StatusTooManyRequests, gqlErrors(ch.refusal(), "RATE_LIMITED"))
			return
		}
		// The headers go out with the status, after the operation's charge.
		var once sync.Once
		headers := func() { once.Do(func() { ch.writeHeaders(w.Header()) }) }
		w = httpsnoop.Wrap(w, httpsnoop.Hooks{
			WriteHeader: func(next httpsnoop.WriteHeaderFunc) httpsnoop.WriteHeaderFunc {
				return func(code int) {
					headers()
					if ch.wasRefused() {
						code = http.StatusTooManyRequests
					}
					next(code)
				}
			},
			Write: func(next httpsnoop.WriteFunc) httpsnoop.WriteFunc {
				return func(b []byte) (int, error) { headers(); return next(b) }
			},
			ReadFrom: func(next httpsnoop.ReadFromFunc) httpsnoop.ReadFromFunc {
				return func(src io.Reader) (int64, error) { headers(); return next(src) }
			},
		})
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chargeKey{}, ch)))
	})
}

// client is who r is counted as, with that client's budget; limited is
// false for a loopback address when loopback is not limited.
func (rl *rateLimiter) client(r *http.Request) (client string, budget int, limited bool) {
	if a := kg.ActorFromContext(r.Context()); a.ID != "" {
		return a.ID, rl.keyed, true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() && !rl.limitLoopback {
		return "", 0, false
	}
	return "addr:" + httprate.CanonicalizeIP(host), rl.anonymous, true
}

// bucket is client's bucket, made full when new. Now and then buckets that
// have refilled are dropped: a full bucket is the same as a new one.
func (rl *rateLimiter) bucket(client string, budget int) *rate.Limiter {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := time.Now()
	if now.Sub(rl.swept) > rl.window {
		for k, b := range rl.buckets {
			if b.TokensAt(now) >= float64(b.Burst()) {
				delete(rl.buckets, k)
			}
		}
		rl.swept = now
	}
	b, ok := rl.buckets[client]
	if !ok {
		b = rate.NewLimiter(rate.Limit(float64(budget)/rl.window.Seconds()), budget)
		rl.buckets[client] = b
	}
	return b
}

// take takes n points if the bucket holds them (only checks, when spend is
// false) and otherwise records when it will.
func (ch *rateCharge) take(n int, spend bool) bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	now := time.Now()
	n = min(n, ch.budget) // a request may always run on a full bucket
	if have := ch.bucket.TokensAt(now); have >= float64(n) {
		if spend {
			ch.bucket.AllowN(now, n)
		}
		return true
	}
	res := ch.bucket.ReserveN(now, n)
	ch.retryAfter = res.DelayFrom(now)
	res.CancelAt(now)
	ch.refused = true
	return false
}

func (ch *rateCharge) refusal() string {
	return fmt.Sprintf("this client has spent its budget of %d points per %s; try again in %d seconds (Retry-After). "+
		"A request costs its extensions.cost in hundreds, at least one point; an API key has a larger budget",
		ch.budget, ch.window, retrySeconds(ch.retryAfter))
}

func (ch *rateCharge) wasRefused() bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.refused
}

// writeHeaders sets the RateLimit headers of the bucket as it is now, and
// Retry-After when the request was refused.
func (ch *rateCharge) writeHeaders(h http.Header) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	have := max(ch.bucket.TokensAt(time.Now()), 0)
	full := time.Duration((float64(ch.budget) - have) / float64(ch.bucket.Limit()) * float64(time.Second))
	h.Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", ch.budget, int(ch.window.Seconds())))
	h.Set("RateLimit-Limit", strconv.Itoa(ch.budget))
	h.Set("RateLimit-Remaining", strconv.Itoa(int(have)))
	h.Set("RateLimit-Reset", strconv.Itoa(retrySeconds(full)))
	if ch.refused {
		h.Set("Retry-After", strconv.Itoa(retrySeconds(ch.retryAfter)))
	}
}

func retrySeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// operationCost is the cost the rate limit charges for an operation: the
// one the cost limit computed (and answers in extensions.cost). This is the
// one place that reads it.
func operationCost(oc *graphql.OperationContext) int {
	if p := plan.OfOperation(oc); p != nil {
		return p.Cost
	}
	return 0
}

// chargeOperation is the GraphQL extension that takes an operation's points
// from its client's bucket once the cost limit has computed its cost, and
// refuses it with RATE_LIMITED (429) when the bucket does not hold them.
type chargeOperation struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = chargeOperation{}

func (chargeOperation) ExtensionName() string                   { return "RateLimit" }
func (chargeOperation) Validate(graphql.ExecutableSchema) error { return nil }

func (chargeOperation) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	ch, ok := ctx.Value(chargeKey{}).(*rateCharge)
	if !ok {
		return nil
	}
	points := max(1, (operationCost(oc)+pointCost-1)/pointCost)
	if ch.take(points, true) {
		return nil
	}
	if p := plan.OfOperation(oc); p != nil {
		p.Admitted = false // refused: the response cache must not answer it either
	}
	err := gqlerror.Errorf("%s", ch.refusal())
	errcode.Set(err, "RATE_LIMITED")
	err.Extensions["points"] = points
	err.Extensions["budget"] = ch.budget
	return err
}
