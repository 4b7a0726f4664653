// A small Relay app's operations: an entity's relationships paged with
// @connection, and entity and source fragments refetched through node(id:)
// by @refetchable. relay-compiler checks them against the schema; nothing here
// runs in CI beyond that.
import { graphql } from "relay-runtime";

export const entityFragment = graphql`
  fragment EntityRelationships_entity on Entity
  @refetchable(queryName: "EntityRelationshipsRefetchQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
    confidence: { type: "[Confidence!]" }
  ) {
    id
    name
    kind
    relationshipsConnection(first: $count, after: $cursor, confidence: $confidence)
      @connection(key: "EntityRelationships_relationshipsConnection", filters: ["confidence"]) {
      totalCount
      edges {
        node {
          id
          type
          confidence
          start
          from { id name }
          to { id name }
        }
      }
    }
  }
`;

export const firmFragment = graphql`
  fragment EntityRelationships_firm on Firm @refetchable(queryName: "FirmRefetchQuery") {
    id
    name
    degree { total byType { type count } }
  }
`;

// A source is a Node with an id of its own (source:<slug>), so it refetches
// like any other; slug is its REPORT entity's id.
export const sourceFragment = graphql`
  fragment EntityRelationships_source on Source @refetchable(queryName: "SourceRefetchQuery") {
    id
    slug
    title
    reliability
    report { id name }
  }
`;

export const pageQuery = graphql`
  query EntityRelationshipsPageQuery($id: ID!) {
    entity(id: $id) {
      ...EntityRelationships_entity
    }
    node(id: $id) {
      ...EntityRelationships_firm @alias
    }
  }
`;

export const searchQuery = graphql`
  query EntityRelationshipsSearchQuery($text: String!, $count: Int!, $cursor: String) {
    searchConnection(text: $text, first: $count, after: $cursor) {
      edges { cursor score node { id name } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
