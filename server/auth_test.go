package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// TestMain lets a test run the server's own main in a process of its own
// (serverCommand): the real flag parsing and subcommands, without building
// a binary.
func TestMain(m *testing.M) {
	if os.Getenv("CYBERKG_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverCommand runs `server args...` against the test Neo4j and returns
// what it printed on stdout, and on stderr when it failed.
func serverCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cfg := dbtest.Config(t)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CYBERKG_TEST_RUN_MAIN=1", "NEO4J_URI="+cfg.URI, "NEO4J_USER="+cfg.User,
		"NEO4J_PASSWORD="+cfg.Password, "NEO4J_PASSWORD_FILE="+cfg.PasswordFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("server %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// createKey runs `server keys create` and returns the key it printed and
// its id; the key is deleted when the test ends.
func createKey(t *testing.T, role, name string) (key, id string) {
	t.Helper()
	out, err := serverCommand(t, "keys", "create", "-role", role, "-name", name)
	if err != nil {
		t.Fatal(err)
	}
	key = strings.SplitN(out, "\n", 2)[0]
	id, ok := store.KeyID(key)
	if !ok {
		t.Fatalf("keys create printed %q, want a key on its first line", out)
	}
	s := dbtest.Open(t)
	t.Cleanup(func() { s.DeleteKey(context.Background(), id) })
	return key, id
}

// call sends a GraphQL query with the Authorization header auth (none when
// empty) and returns the status, the response and its headers.
func call(t *testing.T, url, auth, query string) (int, gqlResponse, http.Header) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, body)
	}
	return resp.StatusCode, out, resp.Header
}

func code(r gqlResponse) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// `server keys` makes a key that it prints once, lists it without the
// secret, and revokes it; Neo4j holds only its hash.
func TestKeysCommandCreatesListsAndRevokes(t *testing.T) {
	s := dbtest.Open(t)
	name := "keys-command-" + rand.Text()[:8]
	key, id := createKey(t, "curator", name)

	list, err := serverCommand(t, "keys", "list")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^` + id + `\s+` + name + `\s+curator\s+\S+\s+-$`)
	if !line.MatchString(list) {
		t.Errorf("keys list does not show %s as a valid curator key:\n%s", id, list)
	}
	secret := strings.TrimPrefix(key, "ckg_"+id+"_") // base64url: it may hold "_" itself
	if strings.Contains(list, secret) {
		t.Errorf("keys list shows the key's secret")
	}
	stored, err := s.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range stored {
		if k.ID == id && (k.Name != name || k.Role != kg.RoleCurator || k.Revoked()) {
			t.Errorf("stored key = %+v", k)
		}
	}
	if a, err := s.Authenticate(context.Background(), key); err != nil || a.ID != id {
		t.Errorf("Authenticate(new key) = %+v, %v", a, err)
	}

	if out, err := serverCommand(t, "keys", "revoke", id); err != nil || !strings.Contains(out, "revoked key "+id) {
		t.Fatalf("keys revoke: %q, %v", out, err)
	}
	list, _ = serverCommand(t, "keys", "list")
	if !regexp.MustCompile(`(?m)^` + id + `\s+` + name + `\s+curator\s+\S+\s+\d{4}-\d\d-\d\dT`).MatchString(list) {
		t.Errorf("keys list does not show %s revoked:\n%s", id, list)
	}
	if _, err := s.Authenticate(context.Background(), key); err == nil {
		t.Errorf("a revoked key still authenticates")
	}

	for _, bad := range [][]string{
		{"keys", "create", "-role", "owner", "-name", "x"},
		{"keys", "create", "-role", "reader"},
		{"keys", "revoke", "000000000000"},
		{"keys", "rotate"},
	} {
		if _, err := serverCommand(t, bad...); err == nil {
			t.Errorf("server %s succeeded", strings.Join(bad, " "))
		}
	}
	if out, _ := serverCommand(t, "keys", "create", "-role", "owner", "-name", "x"); out != "" {
		t.Errorf("a refused create printed %q", out)
	}
}

// authServer serves the seeded graph with cfg; keys are checked on every
// request (no cache), so a revocation is seen at once.
func authServer(t *testing.T, cfg config) *httptest.Server {
	t.Helper()
	s, _ := dbtest.Seeded(t)
	cfg.keyCacheTTL = 0
	ts := httptest.NewServer(newHandler(s, cfg, newMetrics(), discardLog()))
	t.Cleanup(ts.Close)
	return ts
}

// Who may read, with anonymous reading on (the default) and off: a valid
// key of any role reads; a revoked, unknown or malformed key is refused
// 401 UNAUTHENTICATED, never served as anonymous; exports alike.
func TestReadRoleMatrix(t *testing.T) {
	dbtest.Seeded(t)
	keys := map[string]string{}
	for _, role := range []string{"reader", "curator", "admin"} {
		keys[role], _ = createKey(t, role, "matrix-"+role)
	}
	revoked, revokedID := createKey(t, "admin", "matrix-revoked")
	if _, err := serverCommand(t, "keys", "revoke", revokedID); err != nil {
		t.Fatal(err)
	}
	id, _ := store.KeyID(keys["reader"])
	wrongSecret := "ckg_" + id + "_" + strings.Repeat("A", 43)

	type caller struct{ name, auth string }
	callers := []caller{
		{"anonymous", ""},
		{"reader", "Bearer " + keys["reader"]},
		{"curator", "Bearer " + keys["curator"]},
		{"admin", "bearer " + keys["admin"]}, // the scheme is case-insensitive
		{"revoked", "Bearer " + revoked},
		{"wrong secret", "Bearer " + wrongSecret},
		{"not a key", "Bearer hunter2"},
		{"basic auth", "Basic dXNlcjpwYXNz"},
	}
	for _, anonymous := range []bool{true, false} {
		cfg := testConfig(t)
		cfg.anonymousReads = anonymous
		ts := authServer(t, cfg)
		for _, c := range callers {
			want := 200
			switch c.name {
			case "anonymous":
				if !anonymous {
					want = 401
				}
			case "revoked", "wrong secret", "not a key", "basic auth":
				want = 401
			}
			t.Run(fmt.Sprintf("anonymous-reads=%v/%s", anonymous, c.name), func(t *testing.T) {
				status, resp, h := call(t, ts.URL, c.auth, `{ entity(id: "china") { name } }`)
				if status != want {
					t.Fatalf("status %d, want %d: %+v", status, want, resp)
				}
				if want == 200 && string(resp.Data["entity"]) != `{"name":"China"}` {
					t.Errorf("data = %s, errors %+v", resp.Data["entity"], resp.Errors)
				}
				if want == 401 {
					if code(resp) != "UNAUTHENTICATED" || resp.Data != nil || h.Get("WWW-Authenticate") == "" {
						t.Errorf("refusal = %+v, WWW-Authenticate %q", resp, h.Get("WWW-Authenticate"))
					}
					if strings.Contains(resp.Errors[0].Message, strings.TrimPrefix(c.auth, "Bearer ")) && c.auth != "" {
						t.Errorf("the refusal repeats the credentials: %q", resp.Errors[0].Message)
					}
				}

				req, _ := http.NewRequest(http.MethodGet, ts.URL+"/export/entities.csv?kinds=STATE", nil)
				if c.auth != "" {
					req.Header.Set("Authorization", c.auth)
				}
				r, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != want {
					t.Errorf("export: status %d, want %d", r.StatusCode, want)
				}
			})
		}
	}
}

// A key revoked while a server runs is refused by that server from the next
// request on (with -key-cache-ttl 0; within the TTL otherwise).
func TestRevokedKeyIsRefusedAtOnce(t *testing.T) {
	ts := authServer(t, testConfig(t))
	key, id := createKey(t, "reader", "revoke-me")
	if status, resp, _ := call(t, ts.URL, "Bearer "+key, `{ stats { entities } }`); status != 200 {
		t.Fatalf("before revoking: %d %+v", status, resp)
	}
	if _, err := serverCommand(t, "keys", "revoke", id); err != nil {
		t.Fatal(err)
	}
	if status, resp, _ := call(t, ts.URL, "Bearer "+key, `{ stats { entities } }`); status != 401 || code(resp) != "UNAUTHENTICATED" {
		t.Fatalf("after revoking: %d %+v", status, resp)
	}
}

// issuer is an OpenID provider served over real HTTP: a discovery document
// and a JWKS with one signing key, whose tokens the test signs.
type issuer struct {
	*httptest.Server
	signer jose.Signer
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk := jose.JSONWebKey{Key: priv, KeyID: "test-key", Algorithm: string(jose.ES256), Use: "sig"}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jwk}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	iss := &issuer{signer: signer}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"issuer": iss.URL, "jwks_uri": iss.URL + "/keys",
			"authorization_endpoint": iss.URL + "/auth", "token_endpoint": iss.URL + "/token",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk.Public()}})
	})
	iss.Server = httptest.NewServer(mux)
	t.Cleanup(iss.Close)
	return iss
}

// token signs claims over the standard ones (this issuer, audience
// "cyberkg", subject "alice", valid for an hour).
func (iss *issuer) token(t *testing.T, claims map[string]any) string {
	t.Helper()
	std := jwt.Claims{Issuer: iss.URL, Audience: jwt.Audience{"cyberkg"}, Subject: "alice",
		IssuedAt: jwt.NewNumericDate(time.Now()), Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}
	raw, err := jwt.Signed(iss.signer).Claims(std).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// OIDC bearer tokens from an identity provider: the role comes from the
// configured claim; an expired, foreign or forged token is refused 401, a
// valid one naming no role of ours 403.
func TestOIDCTokens(t *testing.T) {
	iss := newIssuer(t)
	other := newIssuer(t) // same claims, another signing key
	cfg := testConfig(t)
	cfg.anonymousReads = false
	cfg.oidcIssuer, cfg.oidcAudience, cfg.oidcRoleClaim = iss.URL, "cyberkg", "realm_access.roles"
	ts := authServer(t, cfg)

	forged := other.token(t, map[string]any{"iss": iss.URL, "realm_access": map[string]any{"roles": []string{"admin"}}})
	tests := []struct {
		name   string
		token  string
		status int
		code   string
	}{
		{"curator", iss.token(t, map[string]any{"realm_access": map[string]any{"roles": []string{"offline_access", "curator"}}}), 200, ""},
		{"reader as a string", iss.token(t, map[string]any{"realm_access": map[string]any{"roles": "reader"}}), 200, ""},
		{"expired", iss.token(t, map[string]any{"exp": time.Now().Add(-time.Minute).Unix(), "realm_access": map[string]any{"roles": []string{"admin"}}}), 401, "UNAUTHENTICATED"},
		{"another audience", iss.token(t, map[string]any{"aud": "billing", "realm_access": map[string]any{"roles": []string{"admin"}}}), 401, "UNAUTHENTICATED"},
		{"another issuer", other.token(t, map[string]any{"realm_access": map[string]any{"roles": []string{"admin"}}}), 401, "UNAUTHENTICATED"},
		{"forged signature", forged, 401, "UNAUTHENTICATED"},
		{"no role of ours", iss.token(t, map[string]any{"realm_access": map[string]any{"roles": []string{"billing-admin"}}}), 403, "FORBIDDEN"},
		{"no role claim", iss.token(t, nil), 403, "FORBIDDEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp, h := call(t, ts.URL, "Bearer "+tt.token, `{ entity(id: "china") { name } }`)
			if status != tt.status || code(resp) != tt.code {
				t.Fatalf("status %d %+v, want %d %s", status, resp, tt.status, tt.code)
			}
			if tt.status == 200 && h.Get("RateLimit-Limit") != strconv.Itoa(cfg.rateLimitKeys) {
				t.Errorf("a token's caller has RateLimit-Limit %q, want the keys' budget %d", h.Get("RateLimit-Limit"), cfg.rateLimitKeys)
			}
		})
	}
}

// The actor a token names is what the role claim gives, by name.
func TestOIDCRoleClaim(t *testing.T) {
	o := newOIDCVerifier("https://issuer.example", "cyberkg", "roles")
	for _, tt := range []struct {
		claim any
		want  kg.Role
		ok    bool
	}{
		{[]any{"reader", "admin", "curator"}, kg.RoleAdmin, true},
		{"reader curator", kg.RoleCurator, true},
		{[]any{"anonymous"}, 0, false},
		{42, 0, false},
		{nil, 0, false},
	} {
		got, ok := o.role(map[string]any{"roles": tt.claim})
		if got != tt.want || ok != tt.ok {
			t.Errorf("role(%v) = %v, %v; want %v, %v", tt.claim, got, ok, tt.want, tt.ok)
		}
	}
}
