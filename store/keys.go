package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// API keys. A key is "ckg_<id>_<secret>": the id is public (it names the key
// in lists, logs and the change log's actor), the secret is 32 random bytes.
// Neo4j holds only the SHA-256 of the whole key: a high-entropy secret needs
// no slow hash, and a stolen database yields no usable key.
//
//	(:ApiKey {id, name, role, hash, createdAt, revokedAt})

// APIKey is what is stored of a key, never the key itself.
type APIKey struct {
	ID        string
	Name      string
	Role      kg.Role
	CreatedAt time.Time
	RevokedAt time.Time // zero while the key is valid
}

// Revoked reports whether the key has been revoked.
func (k APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

const keyPrefix = "ckg_"

func init() {
	schemaStatements = append(schemaStatements,
		`CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE`)
}

// CreateKey makes a key with a name and a role, stores its hash and returns
// the key itself, which is never seen again.
func (s *Store) CreateKey(ctx context.Context, name string, role kg.Role) (string, APIKey, error) {
	const op = "store.CreateKey"
	if strings.TrimSpace(name) == "" {
		return "", APIKey{}, errs.Invalidf("name: a key needs a name (who or what uses it)")
	}
	if role <= kg.RoleAnonymous || role > kg.RoleAdmin {
		return "", APIKey{}, errs.Invalidf("role: want reader, curator or admin")
	}
	idBytes := make([]byte, 6)
	secret := make([]byte, 32)
	rand.Read(idBytes) // crypto/rand.Read never fails
	rand.Read(secret)
	k := APIKey{ID: hex.EncodeToString(idBytes), Name: name, Role: role, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	key := keyPrefix + k.ID + "_" + base64.RawURLEncoding.EncodeToString(secret)
	err := s.write(ctx, op, func(tx neo4j.ManagedTransaction) error {
		_, err := s.query(ctx, tx, op, `CREATE (:ApiKey {id: $id, name: $name, role: $role, hash: $hash, createdAt: $at})`,
			map[string]any{"id": k.ID, "name": k.Name, "role": role.String(), "hash": hashKey(key), "at": k.CreatedAt})
		return err
	})
	if err != nil {
		return "", APIKey{}, err
	}
	return key, k, nil
}

// Keys lists every key, revoked ones too, oldest first.
func (s *Store) Keys(ctx context.Context) ([]APIKey, error) {
	const op = "store.Keys"
	var out []APIKey
	err := s.read(ctx, op, func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, op, `MATCH (k:ApiKey) RETURN k ORDER BY k.createdAt, k.id`, nil)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, r := range recs {
			k, err := keyOf(r)
			if err != nil {
				return errs.E(op, errs.Internal, err)
			}
			out = append(out, k)
		}
		return nil
	})
	return out, err
}

// RevokeKey revokes the key with id; revoking one already revoked changes
// nothing. An unknown id is NotFound.
func (s *Store) RevokeKey(ctx context.Context, id string) (APIKey, error) {
	const op = "store.RevokeKey"
	var k APIKey
	err := s.write(ctx, op, func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, op, `MATCH (k:ApiKey {id: $id})
			SET k.revokedAt = coalesce(k.revokedAt, datetime()) RETURN k`, map[string]any{"id": id})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return errs.E(op, errs.NotFound, fmt.Errorf("no key with id %q (server keys list shows them)", id))
		}
		k, err = keyOf(recs[0])
		return err
	})
	return k, err
}

// ErrBadKey is what Authenticate answers for a key that is malformed,
// unknown, wrong or revoked: the caller learns no more than that.
var ErrBadKey = errors.New("the API key is not valid (unknown, mistyped or revoked)")

// Authenticate returns the stored key that key is, or ErrBadKey. The hash
// is compared in constant time, so timing tells nothing of a near miss.
func (s *Store) Authenticate(ctx context.Context, key string) (APIKey, error) {
	const op = "store.Authenticate"
	id, ok := KeyID(key)
	if !ok {
		return APIKey{}, errs.E(op, errs.Unauthenticated, ErrBadKey)
	}
	var k APIKey
	var hash string
	err := s.read(ctx, op, func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, op, `MATCH (k:ApiKey {id: $id}) RETURN k`, map[string]any{"id": id})
		if err != nil || len(recs) == 0 {
			return err
		}
		k, err = keyOf(recs[0])
		n, _ := recs[0].Values[0].(neo4j.Node)
		hash, _ = n.Props["hash"].(string)
		return err
	})
	if err != nil {
		return APIKey{}, err
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashKey(key))) != 1 || k.Revoked() {
		return APIKey{}, errs.E(op, errs.Unauthenticated, ErrBadKey)
	}
	return k, nil
}

// KeyID is the public id inside a key, if key has the shape of one.
func KeyID(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, keyPrefix)
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	return id, ok && len(id) == 12 && len(secret) > 0
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func keyOf(r *neo4j.Record) (APIKey, error) {
	n, ok := r.Values[0].(neo4j.Node)
	if !ok {
		return APIKey{}, fmt.Errorf("key record holds %T", r.Values[0])
	}
	k := APIKey{}
	k.ID, _ = n.Props["id"].(string)
	k.Name, _ = n.Props["name"].(string)
	role, _ := n.Props["role"].(string)
	var err error
	if k.Role, err = kg.ParseRole(role); err != nil {
		return APIKey{}, fmt.Errorf("key %s: %w", k.ID, err)
	}
	k.CreatedAt, _ = n.Props["createdAt"].(time.Time)
	k.RevokedAt, _ = n.Props["revokedAt"].(time.Time)
	return k, nil
}

// DeleteKey removes a key's record altogether. The API and `server keys`
// only revoke, so that a key's id stays known as the author of its changes;
// tests use this to leave the database as they found it.
func (s *Store) DeleteKey(ctx context.Context, id string) error {
	const op = "store.DeleteKey"
	return s.write(ctx, op, func(tx neo4j.ManagedTransaction) error {
		_, err := s.query(ctx, tx, op, `MATCH (k:ApiKey {id: $id}) DELETE k`, map[string]any{"id": id})
		return err
	})
}
