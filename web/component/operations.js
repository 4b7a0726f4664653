// The GraphQL operations <kg-relationship-view> sends, named, in a module of
// their own so that clients/operations/validate.mjs checks them against the
// schema in CI. Fragments are appended to each query where it is sent.

export const NODE = `fragment N on Entity { id kind name start end description }`;
export const EDGE_LIGHT = `fragment E on Relationship { id type causal from { id } to { id } start end confidence }`;
export const EDGE = `fragment E on Relationship { id type causal from { id } to { id } start end description confidence
  claimedBy { id name } evidence { source { id name } locator paragraph quote } }`;

export const QUERIES = {
  neighborhood: `query KgNeighborhood($id: ID!, $depth: Int, $types: [RelationType!], $direction: Direction, $asOf: Date, $limit: Int) {
    g: neighborhood(id: $id, maxHops: $depth, types: $types, direction: $direction, asOf: $asOf, first: $limit) { nodes { ...N } edges { ...E } truncated } }`,
  chain: `query KgChain($id: ID!, $depth: Int, $direction: ChainDirection, $asOf: Date, $limit: Int) {
    g: chain(from: $id, direction: $direction, maxHops: $depth, asOf: $asOf, first: $limit) { nodes { ...N } edges { ...E } truncated } }`,
  paths: `query KgPaths($id: ID!, $to: ID!, $depth: Int, $types: [RelationType!], $direction: Direction, $asOf: Date, $limit: Int) {
    p: paths(from: $id, to: $to, maxHops: $depth, types: $types, direction: $direction, mode: ALL_SHORTEST, asOf: $asOf, first: $limit) { nodes { ...N } edges { ...E } } }`,
};

// One relationship by id (node), for its evidence when the drawing was
// fetched without it: the relationship is drawn, so it is in force at the
// view's asOf already.
export const EDGE_EVIDENCE = `query KgEdge($id: ID!) { node(id: $id) { ... on Relationship { ...E } } } ${EDGE}`;
