package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// requestIDHeader carries a request's id: accepted from the client or the
// proxy in front (HAProxy sets one), else made here, and always echoed.
const requestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// withRequestID gives every request an id, in its context (so that every
// log line about it carries the id, see logContext), in the response's
// header, and on its trace span.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(requestIDHeader, id)
		trace.SpanFromContext(r.Context()).SetAttributes(attribute.String("http.request.header.x-request-id", id))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// requestID is the id of the request ctx belongs to, or "".
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID accepts what a proxy or client plausibly sends (up to 128
// printable ASCII characters) and nothing that could forge a log line.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// logContext adds to each log record written with a request's context
// (log.InfoContext(ctx, …)) that request's id and trace id.
type logContext struct{ slog.Handler }

func (h logContext) Handle(ctx context.Context, r slog.Record) error {
	if id := requestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logContext) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logContext{h.Handler.WithAttrs(attrs)}
}

func (h logContext) WithGroup(name string) slog.Handler { return logContext{h.Handler.WithGroup(name)} }
