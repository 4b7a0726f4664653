package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"cyberkg/errs"
	"cyberkg/kg"
)

// oidcVerifier checks bearer tokens (JWTs) that an identity provider signed:
// issuer, audience, expiry and signature by go-oidc, against the keys the
// provider's discovery document points to (fetched again when a token names
// a key not yet seen, so key rotation needs no restart). The caller's role
// is in a claim the deployment names (-oidc-role-claim).
type oidcVerifier struct {
	issuer, audience string
	roleClaim        []string // a path into the claims: "realm_access.roles" is {"realm_access", "roles"}

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier // nil until discovery has succeeded
	tried    time.Time
}

func newOIDCVerifier(issuer, audience, roleClaim string) *oidcVerifier {
	return &oidcVerifier{issuer: issuer, audience: audience, roleClaim: strings.Split(roleClaim, ".")}
}

// get makes the verifier on first use rather than at start-up, so that the
// server starts while its identity provider is briefly down; a failed
// discovery is tried again at most every few seconds.
func (o *oidcVerifier) get() (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return o.verifier, nil
	}
	if time.Since(o.tried) < 5*time.Second {
		return nil, errs.E("oidc", errs.Unavailable, fmt.Errorf("identity provider %s did not answer discovery", o.issuer))
	}
	o.tried = time.Now()
	// The provider keeps this context for fetching keys later: not a request's.
	ctx := oidc.ClientContext(context.Background(), &http.Client{Timeout: 10 * time.Second})
	p, err := oidc.NewProvider(ctx, o.issuer)
	if err != nil {
		return nil, errs.E("oidc", errs.Unavailable, fmt.Errorf("discovery at %s: %w", o.issuer, err))
	}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.audience})
	return o.verifier, nil
}

func (o *oidcVerifier) actor(ctx context.Context, raw string) (kg.Actor, error) {
	v, err := o.get()
	if err != nil {
		return kg.Actor{}, err
	}
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		// go-oidc's messages say what was wrong (expired, wrong audience,
		// bad signature) and hold nothing secret.
		return kg.Actor{}, errs.E("oidc", errs.Unauthenticated, fmt.Errorf("the bearer token is not valid: %w", err))
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return kg.Actor{}, errs.E("oidc", errs.Unauthenticated, fmt.Errorf("the bearer token's claims: %w", err))
	}
	role, ok := o.role(claims)
	if !ok {
		return kg.Actor{}, errs.E("oidc", errs.Forbidden,
			fmt.Errorf("the token's %q claim names no role of this server (reader, curator or admin)", strings.Join(o.roleClaim, ".")))
	}
	return kg.Actor{ID: tok.Issuer + "#" + tok.Subject, Name: displayName(claims, tok.Subject), Role: role}, nil
}

// role is the highest role the role claim names; the claim may be one
// string or a list of them, and names this server does not know are left
// out (an identity provider's tokens carry roles of other services too).
func (o *oidcVerifier) role(claims map[string]any) (kg.Role, bool) {
	var v any = claims
	for _, part := range o.roleClaim {
		m, ok := v.(map[string]any)
		if !ok {
			return 0, false
		}
		v = m[part]
	}
	var names []string
	switch v := v.(type) {
	case string:
		names = strings.Fields(v) // a space-separated list, as OAuth's scope is
	case []any:
		for _, n := range v {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
	}
	best, found := kg.RoleAnonymous, false
	for _, n := range names {
		if r, err := kg.ParseRole(n); err == nil && r >= best {
			best, found = r, true
		}
	}
	return best, found
}

// displayName is how people reading the history see a token's caller.
func displayName(claims map[string]any, subject string) string {
	for _, c := range []string{"name", "preferred_username", "email"} {
		if s, ok := claims[c].(string); ok && s != "" {
			return s
		}
	}
	return subject
}
