package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"
)

// Traces: an HTTP server span per request (otelhttp), a child span per
// GraphQL operation (graphqlTracing), and one per Neo4j round trip beneath
// it (store's query helper). They are recorded and exported over OTLP/HTTP
// only when -otel-exporter-otlp-endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) is
// set; otherwise the global provider is OpenTelemetry's no-op and spans cost
// next to nothing.

// setupTracing installs the OTLP exporter as the global tracer provider when
// an endpoint is configured, and returns what flushes and stops it.
func setupTracing(ctx context.Context, c opsConfig) (func(context.Context) error, error) {
	if c.otlpEndpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(c.otlpEndpoint)}
	if c.otlpInsecure {
		opts = append(opts, otlptracehttp.WithInsecure())
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("otlp exporter for %s: %w", c.otlpEndpoint, err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(c.serviceName)))
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp.Shutdown, nil
}

// withTracing is the HTTP server span of every request, named by its method
// and path ("POST /graphql"), continuing the caller's trace when it sends a
// traceparent header.
func withTracing(next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "http",
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Path }))
}

// graphqlTracing is a gqlgen extension: a span around each operation, from
// parsing done to its response written, named "query OperationName".
type graphqlTracing struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = graphqlTracing{}

func (graphqlTracing) ExtensionName() string                   { return "OpenTelemetry" }
func (graphqlTracing) Validate(graphql.ExecutableSchema) error { return nil }
func (graphqlTracing) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	kind, name := "operation", oc.OperationName
	if oc.Operation != nil {
		kind = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
	}
	spanName := kind
	if name != "" {
		spanName += " " + name
	}
	ctx, span := otel.Tracer("cyberkg/server").Start(ctx, spanName, trace.WithAttributes(
		attribute.String("graphql.operation.type", kind),
		attribute.String("graphql.operation.name", name),
	))
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil || resp.HasNext == nil || !*resp.HasNext {
			if resp != nil && len(resp.Errors) > 0 {
				span.SetAttributes(attribute.Int("graphql.errors", len(resp.Errors)))
				span.SetStatus(codes.Error, resp.Errors[0].Message)
			}
			span.End()
		}
		return resp
	}
}
