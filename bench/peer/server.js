// The peer: the Neo4j GraphQL Library 7 served by graphql-yoga over the
// same Neo4j as our server, with the type definitions that
// `go run ./bench peer-schema` writes to schema.graphql.
// Env: NEO4J_URI, NEO4J_PASSWORD, PEER_PORT (4000).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { execute, parse } from "graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";
import { rankCandidates } from "./rank.js";

const typeDefs = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(
  process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687",
  neo4j.auth.basic("neo4j", process.env.NEO4J_PASSWORD),
  { maxConnectionPoolSize: 128 },
);

// search fetches its candidates through the Library's own @cypher fields
// (the store's candidate Cypher) and ranks them as the store does.
const candidateQuery = (field) =>
  parse(`query($index: String!, $query: String!, $kinds: [String!], $needles: [String!], $candidates: Int!) {
    candidates: ${field}(index: $index, query: $query, kinds: $kinds, needles: $needles, candidates: $candidates) {
      score fact entity { id kind name aliases description facts } } }`);
const plain = candidateQuery("searchCandidates");
const withFigures = candidateQuery("searchCandidatesWithFigures");

let schema;
const resolvers = {
  Query: {
    async search(_source, args) {
      const res = await execute({
        schema,
        document: args.needles?.length ? withFigures : plain,
        variableValues: args,
        contextValue: {},
      });
      if (res.errors?.length) throw res.errors[0];
      return rankCandidates(args.text, res.data.candidates, args.first);
    },
  },
};

schema = await new Neo4jGraphQL({ typeDefs, driver, resolvers }).getSchema();
const yoga = createYoga({ schema, logging: false, graphiql: false });
const port = Number(process.env.PEER_PORT ?? 4000);
createServer(yoga).listen(port, "127.0.0.1", () => console.log(`peer ready on http://127.0.0.1:${port}/graphql`));
