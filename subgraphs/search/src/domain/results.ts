import type { SearchType } from './document';

/** An entity search found, as a reference its owning subgraph resolves (`{ __typename, id }`). */
export interface EntityRef {
  __typename: 'Post' | 'Comment' | 'Picture' | 'User';
  id: string;
}

const TYPENAMES: Record<SearchType, EntityRef['__typename']> = {
  POST: 'Post',
  COMMENT: 'Comment',
  PICTURE: 'Picture',
  USER: 'User',
};

export const entityRef = (type: SearchType, id: string): EntityRef => ({ __typename: TYPENAMES[type], id });

/** One result of a page (GraphQL SearchEdge). */
export interface SearchHit {
  cursor: string;
  node: EntityRef;
  score: number;
  highlight: string;
}

/** A page of results (GraphQL SearchConnection). */
export interface SearchPage {
  edges: SearchHit[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
  correctedQuery: string | null;
}
