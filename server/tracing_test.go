package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// One GraphQL request over real HTTP against the real Neo4j makes one
// trace: the HTTP server span, the operation's span beneath it, and a span
// per Cypher round trip beneath that; a caller's traceparent is continued.
func TestTracesCoverHTTPGraphQLAndEachNeo4jCall(t *testing.T) {
	ts := newTestServer(t) // seeded first: the seed's load is not this request's
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetTextMapPropagator(prevProp) })

	// The caller's own trace, sent as traceparent.
	parentCtx, parent := tp.Tracer("test").Start(context.Background(), "client")
	body := `{"query":"query Chain { chain(from: \"snowden-revelations\", maxHops: 2) { nodes { id } } entity(id: \"qualcomm\") { name } }"}`
	req, _ := http.NewRequestWithContext(parentCtx, http.MethodPost, ts.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	otel.GetTextMapPropagator().Inject(parentCtx, propagation.HeaderCarrier(req.Header))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	parent.End()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	tp.ForceFlush(context.Background())

	spans := exp.GetSpans()
	byName := map[string]tracetest.SpanStub{}
	var neo4jSpans []tracetest.SpanStub
	for _, s := range spans {
		byName[s.Name] = s
		if strings.HasPrefix(s.Name, "neo4j ") {
			neo4jSpans = append(neo4jSpans, s)
		}
	}
	httpSpan, ok := byName["POST /graphql"]
	if !ok {
		t.Fatalf("no HTTP span named POST /graphql among %v", names(spans))
	}
	op, ok := byName["query Chain"]
	if !ok {
		t.Fatalf("no GraphQL operation span 'query Chain' among %v", names(spans))
	}
	if httpSpan.Parent.SpanID() != parent.SpanContext().SpanID() || httpSpan.SpanKind != trace.SpanKindServer {
		t.Errorf("the HTTP span does not continue the caller's trace (parent %v, kind %v)", httpSpan.Parent.SpanID(), httpSpan.SpanKind)
	}
	if op.Parent.SpanID() != httpSpan.SpanContext.SpanID() {
		t.Errorf("the operation span's parent is %v, want the HTTP span", op.Parent.SpanID())
	}
	// chain and entity: at least one round trip each, each a child of the operation.
	if len(neo4jSpans) < 2 {
		t.Fatalf("%d Neo4j spans, want one per Cypher round trip (at least 2): %v", len(neo4jSpans), names(spans))
	}
	for _, s := range neo4jSpans {
		if s.Parent.SpanID() != op.SpanContext.SpanID() {
			t.Errorf("%s: parent %v, want the operation span", s.Name, s.Parent.SpanID())
		}
		if s.SpanContext.TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("%s is in another trace", s.Name)
		}
	}
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

// Every response carries a request id: the client's when it sent a sane
// one, else a new one; and a log line written with the request's context
// carries it too.
func TestRequestIDEchoedMadeAndLogged(t *testing.T) {
	ts := newTestServer(t)
	get := func(id string) string {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/healthz", nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("X-Request-Id")
	}
	if got := get("abc-123"); got != "abc-123" {
		t.Errorf("sent abc-123, got back %q", got)
	}
	a, b := get(""), get("")
	if len(a) != 32 || a == b {
		t.Errorf("made ids %q and %q, want two different 32-hex-digit ids", a, b)
	}
	if got := get(strings.Repeat("x", 200)); len(got) != 32 {
		t.Errorf("an over-long id was kept: %q", got)
	}
	if got := get("a\tb"); got == "a\tb" {
		t.Error("an id with a control character was kept")
	}

	var logged bytes.Buffer
	log := slog.New(logContext{slog.NewTextHandler(&logged, nil)})
	h := withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.WarnContext(r.Context(), "something to say")
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Request-Id", "req-42")
	h.ServeHTTP(rec, req)
	if !strings.Contains(logged.String(), "request_id=req-42") {
		t.Errorf("the log line lacks the request id: %q", logged.String())
	}
}
