import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** The monorepo root (packages/kit/src/../../..). */
export const REPO_ROOT = resolve(__dirname, '../../..');

/** A subgraph's SDL, from its source of truth in schema/<name>.graphql. */
export function loadSubgraphSchema(name: string): DocumentNode {
  return parse(readFileSync(resolve(REPO_ROOT, 'schema', `${name}.graphql`), 'utf8'));
}
