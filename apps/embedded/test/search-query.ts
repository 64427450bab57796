/** One search through the gateway: the results resolved, in the same query, by the subgraphs that own them. */
export const SEARCH_THROUGH_GATEWAY = `query($q: String!, $types: [SearchType!], $tags: [String!]) {
  search(query: $q, types: $types, tags: $tags, first: 20) {
    totalCount
    correctedQuery
    edges {
      score
      highlight
      node {
        __typename
        ... on Post { id title tags author { handle } panel { name } }
        ... on Comment { id body author { handle } post { title } }
        ... on Picture { id title status owner { handle } }
        ... on User { id handle displayName }
      }
    }
  }
}`;

export interface SearchNode {
  __typename: string;
  id: string;
  [field: string]: unknown;
}
export interface SearchData {
  search: {
    totalCount: number;
    correctedQuery: string | null;
    edges: { score: number; highlight: string; node: SearchNode }[];
  };
}
