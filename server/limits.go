package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/httprate"
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

// rateLimit allows each client (by remote IP; IPv6 by /64) n requests per
// window and answers the rest 429 with Retry-After. Behind a proxy every
// client shares the proxy's address: rate-limit there instead, or turn
// this off with -rate-limit 0.
func rateLimit(n int, window time.Duration, next http.Handler) http.Handler {
	if n <= 0 {
		return next
	}
	return httprate.LimitBy(n, window, clientKey,
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusTooManyRequests, gqlErrors("too many requests from this client; try again after Retry-After seconds", "RATE_LIMITED"))
		}))(next)
}

func clientKey(r *http.Request) (string, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return httprate.CanonicalizeIP(host), nil
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
