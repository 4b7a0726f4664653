package store

import (
	"go.opentelemetry.io/otel"
)

// tracer makes a span of each Cypher round trip (query), a child of the
// request's GraphQL operation span. It is the global provider's, a no-op
// unless the server configured an exporter (server/tracing.go).
var tracer = otel.Tracer("cyberkg/store")
