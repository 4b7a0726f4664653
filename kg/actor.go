package kg

import (
	"context"
	"fmt"
)

// Role is what a caller may do. Roles are ordered: each may do what the ones
// before it may.
type Role int

const (
	RoleAnonymous Role = iota // no credentials: reads, when anonymous reading is on
	RoleReader                // reads
	RoleCurator               // reads and edits the graph (sources, claims, evidence, retractions)
	RoleAdmin                 // everything, including merges, reverts of others' changes and keys
)

var roleNames = [...]string{"anonymous", "reader", "curator", "admin"}

func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return fmt.Sprintf("Role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole reads a role by its name ("reader", "curator", "admin").
func ParseRole(s string) (Role, error) {
	for i, n := range roleNames {
		if n == s && Role(i) != RoleAnonymous {
			return Role(i), nil
		}
	}
	return 0, fmt.Errorf("unknown role %q (want reader, curator or admin)", s)
}

// Actor is who is calling: the author of any change they make. The server's
// authentication puts one in each request's context; the write service
// reads it for its permission checks and its audit entries.
type Actor struct {
	ID   string // stable: an API key's id, or an OIDC token's issuer and subject; "" when anonymous
	Name string // for people reading the history: the key's name, or the token's name claim
	Role Role
}

// Anonymous is the actor of a request without credentials.
var Anonymous = Actor{Role: RoleAnonymous}

// Can reports whether the actor has at least role r.
func (a Actor) Can(r Role) bool { return a.Role >= r }

type actorKey struct{}

// NewContextWithActor returns ctx carrying a.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, or Anonymous.
func ActorFromContext(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Anonymous
}
