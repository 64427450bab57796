/**
 * The subgraph registry: a subgraph exists when it has a line here (and, by convention,
 * `schema/<name>.graphql` and `subgraphs/<name>/src/{service,main}.ts`). Compose, codegen,
 * the embedded stack, the distributed launcher, the docker-compose check and the gateway
 * all read this list; `npm run new:subgraph <name>` appends to it.
 */
export const SUBGRAPHS = [
  { name: 'auth', port: 4002 },
  { name: 'users', port: 4001 },
  { name: 'forum', port: 4003 },
  { name: 'pictures', port: 4004 },
  { name: 'comments', port: 4005 },
  { name: 'search', port: 4006 },
  { name: 'notifications', port: 4008 },
  { name: 'analytics', port: 4007 },
] as const satisfies readonly SubgraphEntry[];

export interface SubgraphEntry {
  /** Folder under subgraphs/, schema file name, package `@agora/<name>`. */
  name: string;
  /** Embedded port (DESIGN.md); `PORT_<NAME>` overrides it at run time. */
  port: number;
}

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

/** Default embedded URL of a subgraph (the routing URL written into the supergraph). */
export const defaultSubgraphUrl = (port: number) => `http://127.0.0.1:${port}/graphql`;

/** The env var that overrides a subgraph's port: `PORT_FORUM`, `PORT_COMMENTS`… */
export const portEnvOf = (name: string) => `PORT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export function subgraphEntry(name: string): SubgraphEntry {
  const entry = SUBGRAPHS.find((s) => s.name === name);
  if (!entry) throw new Error(`"${name}" is not in the subgraph registry (packages/contracts/src/subgraphs.ts)`);
  return entry;
}
