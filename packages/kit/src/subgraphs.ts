/**
 * The supergraph's subgraphs: name, embedded port, and whether it exists yet. The one
 * list that compose, codegen, the embedded stack and the gateway's defaults read.
 */
export const SUBGRAPHS = [
  { name: 'users', port: 4001 },
  { name: 'auth', port: 4002 },
  { name: 'forum', port: 4003 },
  { name: 'pictures', port: 4004 },
  { name: 'comments', port: 4005 },
  { name: 'search', port: 4006 },
  { name: 'analytics', port: 4007 },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

/** Default embedded URL of a subgraph (the routing URL written into the supergraph). */
export const defaultSubgraphUrl = (port: number) => `http://127.0.0.1:${port}/graphql`;
