// Package graph is the GraphQL transport: gqlgen's resolvers, thin by
// design. They check arguments, call the store or the request's loaders, and
// wrap domain values in GraphQL types; they hold no Cypher.
package graph

import (
	"cyberkg/store"
)

// make generate and scripts/check run this, so all three make the same files.
//go:generate go tool gqlgen generate

// Resolver is the root resolver; one serves every request.
type Resolver struct {
	Store *store.Store
	Feed  ChangeFeed // the changes subscription's (server/feed.go)
}
