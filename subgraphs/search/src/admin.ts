import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@agora/kit/http';
import type { Route } from '@agora/kit/server';
import { RebuildRunning } from './store/generations';
import type { Indexer } from './events/indexer';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `/rebuild` on the search service's own port (never routed by the gateway), for
 * `npm run search:rebuild`: POST starts a rebuild (202, or 409 while one runs), GET says how
 * it goes. Only callers on the same host are answered: an operator, not the network.
 */
export function rebuildRoute(indexer: Indexer): Route {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      return sendJson(res, 403, { error: 'only from the same host' });
    }
    if (req.method === 'GET') {
      return sendJson(res, 200, { ...indexer.status(), generations: await indexer.generationsKept() });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'GET or POST' });
    try {
      sendJson(res, 202, await indexer.rebuild());
    } catch (error) {
      if (!(error instanceof RebuildRunning)) throw error;
      sendJson(res, 409, { error: `a rebuild is already running (generation ${error.generation})` });
    }
  };
}
