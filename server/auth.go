package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"cyberkg/errs"
	"cyberkg/kg"
	"cyberkg/store"
)

// Authentication turns a request's credentials into a kg.Actor in its
// context: an API key (store/keys.go) or, where an identity provider is
// configured, an OIDC token (auth_oidc.go), both as "Authorization: Bearer".
// It decides only who is calling. What each role may do is decided where
// it is done: reads here (anonymous or not), writes in the write service.

// keyChecker is what authentication needs of the key store.
type keyChecker interface {
	Authenticate(ctx context.Context, key string) (store.APIKey, error)
}

type authenticator struct {
	keys           keyChecker
	oidc           *oidcVerifier // nil without -oidc-issuer
	anonymousReads bool
	// known holds actors of keys checked in the last -key-cache-ttl, by
	// the key's hash: most requests then cost no Neo4j round trip. A key
	// revoked elsewhere is refused here at most that much later.
	known *expirable.LRU[[sha256.Size]byte, kg.Actor]
	log   *slog.Logger
}

func newAuthenticator(keys keyChecker, cfg config, log *slog.Logger) *authenticator {
	a := &authenticator{keys: keys, anonymousReads: cfg.anonymousReads, log: log}
	if cfg.keyCacheTTL > 0 {
		a.known = expirable.NewLRU[[sha256.Size]byte, kg.Actor](10_000, nil, cfg.keyCacheTTL)
	}
	if cfg.oidcIssuer != "" {
		a.oidc = newOIDCVerifier(cfg.oidcIssuer, cfg.oidcAudience, cfg.oidcRoleClaim)
	}
	return a
}

// middleware puts the caller's actor in the request's context, or answers
// 401 UNAUTHENTICATED to credentials that are not valid (never treated as
// anonymous: a client whose key was revoked must learn it) and, when
// anonymous reading is off, to none. A WebSocket upgrade without them goes
// on: browsers cannot set headers on one, so the feed authenticates its
// connection_init instead.
func (a *authenticator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if header == "" && !a.anonymousReads && !isWebSocketUpgrade(r) {
			unauthenticated(w, "this server does not answer anonymous requests: send Authorization: Bearer <API key or token>")
			return
		}
		actor, err := a.actor(r.Context(), header)
		if err != nil {
			a.refuse(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(kg.NewContextWithActor(r.Context(), actor)))
	})
}

// actor is who the value of an Authorization header (or of the feed's
// connection_init payload) says is calling: Anonymous for none.
func (a *authenticator) actor(ctx context.Context, authorization string) (kg.Actor, error) {
	return a.resolve(ctx, authorization, true)
}

// check is actor without the cache: for the feed, which checks the
// credentials of its open connections again now and then.
func (a *authenticator) check(ctx context.Context, authorization string) (kg.Actor, error) {
	return a.resolve(ctx, authorization, false)
}

func (a *authenticator) resolve(ctx context.Context, authorization string, cached bool) (kg.Actor, error) {
	if authorization == "" {
		return kg.Anonymous, nil
	}
	scheme, token, _ := strings.Cut(authorization, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return kg.Actor{}, errs.E("auth", errs.Unauthenticated, errors.New(`credentials go in "Authorization: Bearer <API key or token>"`))
	}
	if _, ok := store.KeyID(token); ok {
		return a.keyActor(ctx, token, cached)
	}
	if a.oidc != nil && strings.Count(token, ".") == 2 { // a JWT's three parts
		return a.oidc.actor(ctx, token)
	}
	return kg.Actor{}, errs.E("auth", errs.Unauthenticated, store.ErrBadKey)
}

func (a *authenticator) keyActor(ctx context.Context, key string, cached bool) (kg.Actor, error) {
	sum := sha256.Sum256([]byte(key))
	if a.known != nil && cached {
		if actor, ok := a.known.Get(sum); ok {
			return actor, nil
		}
	}
	k, err := a.keys.Authenticate(ctx, key)
	if err != nil {
		return kg.Actor{}, err
	}
	actor := kg.Actor{ID: "key:" + k.ID, Name: k.Name, Role: k.Role}
	if a.known != nil {
		a.known.Add(sum, actor)
	}
	return actor, nil
}

// refuse answers a failed authentication: 401 for bad credentials, 403 for
// good ones without a role here, 503 when Neo4j (or the identity provider)
// cannot be asked. The key itself is never logged.
func (a *authenticator) refuse(w http.ResponseWriter, err error) {
	var e *errs.Error
	errors.As(err, &e)
	switch errs.KindOf(err) {
	case errs.Unauthenticated:
		unauthenticated(w, e.Err.Error())
	case errs.Forbidden:
		writeJSON(w, http.StatusForbidden, gqlErrors(e.Err.Error(), string(errs.Forbidden)))
	case errs.Unavailable, errs.Timeout:
		a.log.Warn("cannot check credentials", "err", err)
		w.Header().Set("Retry-After", retryAfter)
		writeJSON(w, http.StatusServiceUnavailable, gqlErrors("credentials cannot be checked now; try again shortly", string(errs.Unavailable)))
	default:
		a.log.Error("checking credentials", "err", err)
		writeJSON(w, http.StatusInternalServerError, gqlErrors("internal error", string(errs.Internal)))
	}
}

func unauthenticated(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="cyberkg"`)
	writeJSON(w, http.StatusUnauthorized, gqlErrors(msg, string(errs.Unauthenticated)))
}

func isWebSocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
