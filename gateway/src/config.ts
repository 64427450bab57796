import { resolve } from 'node:path';
import { z } from 'zod';
import { commonEnv, loadConfig, port } from '@agora/kit/config';
import { REPO_ROOT } from '@agora/kit/paths';
import { SUBGRAPHS } from '@agora/kit/subgraphs';

/**
 * Gateway env: PORT (4000), HOST, SUPERGRAPH_PATH, MAX_BODY_BYTES, MAX_QUERY_DEPTH,
 * WEB_ROOT, and SUBGRAPH_<NAME>_URL to point at a subgraph other than the supergraph's URL.
 */
export function gatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(
    z.object({
      ...commonEnv,
      PORT: port(4000),
      SUPERGRAPH_PATH: z.string().default(resolve(REPO_ROOT, 'schema/supergraph.graphql')),
      // Uploads are base64 in a mutation: 10 MB of image is ~13.4 MB of text.
      MAX_BODY_BYTES: z.coerce
        .number()
        .int()
        .positive()
        .default(15 * 1024 * 1024),
      MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(12),
      WEB_ROOT: z.string().default(resolve(REPO_ROOT, 'web/dist')),
    }),
    env,
  );
  const subgraphUrls: Record<string, string> = {};
  for (const { name } of SUBGRAPHS) {
    const url = env[`SUBGRAPH_${name.toUpperCase()}_URL`];
    if (url) subgraphUrls[name] = url;
  }
  return { ...config, subgraphUrls };
}
