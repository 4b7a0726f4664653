package model

// Node is the GraphQL Node interface: every object with an id unique across
// kinds. It asks nothing of its Go values, so that domain types such as
// kg.Relationship implement it without knowing GraphQL.
type Node any
