package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cyberkg/errs"
	"cyberkg/graph"
	"cyberkg/graph/direct"
	"cyberkg/graph/generated"
	"cyberkg/graph/plan"
	"cyberkg/kg"
	"cyberkg/store"
)

// newGraphQL builds the GraphQL handler with the transports, caches and
// limits chosen on purpose (not gqlgen's default server): POST and GET only
// (gqlgen's, but writing a response's data as it is: transport.go),
// introspection on for the explorer unless turned off, no field suggestions,
// and token, alias, directive, depth and cost limits that refuse abusive
// queries before any Cypher runs (each described in the README). The
// executor is gqlgen's, generated and run as gqlgen makes it.
func newGraphQL(s *store.Store, f *feed, cfg config, m *metrics, log *slog.Logger) http.Handler {
	resolver := &graph.Resolver{Store: s, Feed: f}
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: resolver})
	srv := handler.New(schema)
	// The change feed's transports come first: GET and POST would take an
	// upgrade and an event stream too.
	ws, sse := f.transports()
	srv.AddTransport(ws)
	srv.AddTransport(sse)
	srv.AddTransport(getJSON{})
	srv.AddTransport(postJSON{})
	srv.SetParserTokenLimit(cfg.maxTokens)
	srv.SetDisableSuggestion(!cfg.suggestions)
	srv.SetQueryCache(inlineDefer{smallQueries[*ast.QueryDocument]{lru.New[*ast.QueryDocument](1000), maxCachedQuery}})
	if cfg.introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: smallQueries[string]{lru.New[string](1000), maxCachedQuery}})
	srv.Use(graph.DocumentLimits{MaxTokens: cfg.maxTokens, MaxAliases: cfg.maxAliases, MaxDirectives: cfg.maxDirectives,
		Passed: smallQueries[struct{}]{lru.New[struct{}](1000), maxCachedQuery}})
	srv.Use(&plan.Extension{MaxDepth: cfg.maxDepth, Budget: cfg.maxCost})
	srv.Use(chargeOperation{}) // after the plan, whose cost it charges
	srv.Use(graphqlTracing{})
	srv.AroundRootFields(deadline(cfg.requestTimeout))
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", v, "stack", string(debug.Stack()))
		return errs.E("resolver", errs.Internal, fmt.Errorf("panic: %v", v))
	})
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp == nil {
			return nil
		}
		n := store.QueryCount(ctx)
		m.queriesPerRequest.Observe(float64(n))
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cypherQueries"] = n
		if c := plan.CostOf(ctx); c >= 0 {
			resp.Extensions["cost"] = c
		}
		resp.Errors = capErrors(resp.Errors, cfg.maxErrors)
		if st := stateOf(ctx); st != nil && unavailable(resp) {
			st.unavailable = true
		}
		return resp
	})
	x := &direct.Executor{Resolver: resolver, Schema: schema.Schema(), Timeout: cfg.requestTimeout,
		Answered: func(direct bool) {
			if direct {
				m.operations.WithLabelValues("direct").Inc()
			} else {
				m.operations.WithLabelValues("gqlgen").Inc()
			}
		}}
	// Registered after the handler above, so inside it: a cached response
	// gets its extensions (cypherQueries: 0) like any other.
	if cfg.cacheBytes > 0 {
		follower := &changeFollower{index: newChangeIndex(), read: func(ctx context.Context, after int64, limit int) ([]kg.Change, error) {
			return s.ChangesAfter(ctx, after, kg.ChangeFilter{}, limit)
		}, timeout: cfg.requestTimeout}
		srv.AroundResponses(newResponseCache(cfg.cacheBytes, m, follower, x.Knows).cached(newHeadGate(s.Head, cfg.requestTimeout).head))
	}
	// Innermost: what the cache keeps is what either executor wrote.
	if cfg.directReads {
		srv.AroundResponses(x.Respond)
	}
	return srv
}

// deadline bounds the whole request, counted from when it arrived: the
// context carries it into every resolver and Neo4j transaction, so that
// Cypher stops when the request's time is up, not each statement's. It is
// set on the root fields rather than on the HTTP request so that gqlgen
// still writes the response (with TIMEOUT errors) once time is up.
func deadline(d time.Duration) graphql.RootFieldMiddleware {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		ctx, cancel := context.WithDeadline(ctx, graphql.GetOperationContext(ctx).Stats.OperationStart.Add(d))
		defer cancel()
		return next(ctx)
	}
}

// presentError decides what a user sees of an error: the message of bad
// input and of what was not found, a plain "unavailable" when Neo4j is down,
// and for anything else only "internal error" (the details go to the log,
// never a stack trace or Cypher to the user). gqlgen's own parse and
// validation errors pass through as they are.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var kindErr *errs.Error
		if !errors.As(err, &kindErr) && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
			// gqlgen reports the request's deadline itself when it passes
			// between resolvers (a list's items not yet started).
			kindErr = &errs.Error{Kind: errs.Timeout, Err: err}
		}
		if kindErr == nil {
			if strings.HasPrefix(gqlErr.Message, "json request body could not be decoded") {
				gqlErr.Message = "the request body is not valid JSON" // gqlgen's message echoes the body
				return gqlErr
			}
			if gqlErr.Err == nil || errors.As(gqlErr.Err, new(*gqlerror.Error)) {
				return gqlErr // produced by gqlgen itself: parse, validation, coercion
			}
			kindErr = &errs.Error{Kind: errs.Internal, Err: gqlErr.Err}
		}
		switch kindErr.Kind {
		case errs.Invalid, errs.NotFound, errs.Unauthenticated, errs.Forbidden:
			gqlErr.Message = kindErr.Err.Error()
		case errs.Unavailable:
			log.WarnContext(ctx, "neo4j unavailable", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "the graph database is unavailable; try again shortly"
		case errs.Timeout:
			log.WarnContext(ctx, "request timed out", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "the request ran out of time; ask for less (smaller first/limit, fewer levels) or try again"
		default:
			log.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "internal error"
		}
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = string(kindErr.Kind)
		return gqlErr
	}
}

// unavailable is true when a response has no data only because Neo4j could
// not be reached: then the right HTTP status is 503, not 200.
func unavailable(resp *graphql.Response) bool {
	if len(resp.Errors) == 0 || (len(resp.Data) > 0 && string(resp.Data) != "null" && !allNull(resp.Data)) {
		return false
	}
	for _, e := range resp.Errors {
		if e.Extensions["code"] != string(errs.Unavailable) {
			return false
		}
	}
	return true
}

// maxCachedQuery is the longest query text the parsed-query and persisted-
// query caches keep: realistic queries are a few KB; keeping long ones would
// let a client fill memory with documents it never repeats. gqlgen caches a
// document only once it has passed validation.
const maxCachedQuery = 8 << 10

// smallQueries is a cache that refuses to keep entries under long keys.
type smallQueries[T any] struct {
	graphql.Cache[T]
	maxKey int
}

func (c smallQueries[T]) Add(ctx context.Context, key string, v T) {
	if len(key) <= c.maxKey {
		c.Cache.Add(ctx, key, v)
	}
}

// inlineDefer takes @defer off every document that has passed validation.
// Our transports (POST and GET) write one response, and gqlgen's deferred
// parts never reach it: the response would say "hasNext": true, hold null
// where the deferred fields belong, and nothing would follow. So @defer is
// accepted and the one response holds everything, as the
// incremental-delivery proposal lets a server do. gqlgen hands the cache
// every document it has validated (Add, whether or not the cache keeps it)
// before it runs it, and before any other request can share it, so the
// change is made where no one else reads the document yet.
type inlineDefer struct {
	graphql.Cache[*ast.QueryDocument]
}

func (c inlineDefer) Add(ctx context.Context, key string, doc *ast.QueryDocument) {
	for _, op := range doc.Operations {
		dropDefer(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		dropDefer(f.SelectionSet)
	}
	c.Cache.Add(ctx, key, doc)
}

func dropDefer(set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			dropDefer(s.SelectionSet)
		case *ast.InlineFragment:
			s.Directives = withoutDefer(s.Directives)
			dropDefer(s.SelectionSet)
		case *ast.FragmentSpread:
			s.Directives = withoutDefer(s.Directives)
		}
	}
}

func withoutDefer(ds ast.DirectiveList) ast.DirectiveList {
	if ds.ForName("defer") == nil {
		return ds
	}
	out := make(ast.DirectiveList, 0, len(ds))
	for _, d := range ds {
		if d.Name != "defer" {
			out = append(out, d)
		}
	}
	return out
}

// capErrors keeps the first max errors of a response and says how many more
// there were: a malformed document can produce thousands.
func capErrors(list gqlerror.List, max int) gqlerror.List {
	if max <= 0 || len(list) <= max {
		return list
	}
	more := gqlerror.Errorf("%d more errors not shown", len(list)-max)
	return append(list[:max:max], more)
}
