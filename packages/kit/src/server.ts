import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runChecks, type HealthCheck } from './health';
import { HttpError, sendHttpError, sendJson } from './http';
import { shuttingDown } from './lifecycle';
import type { Logger } from './log';
import { renderMetrics } from './metrics';
import { context, serverSpanContext, SpanStatusCode } from './tracing';

export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpServerOptions {
  port: number;
  host: string;
  log: Logger;
  /** Exact paths, matched before `fallback`. */
  routes: Record<string, Route>;
  fallback?: Route;
  /** Answers /readyz; false means 503 (e.g. a dependency is down). */
  ready?: () => Promise<boolean>;
  /** Dependencies /readyz reports one by one; a required one that is down means 503. */
  checks?: HealthCheck[] | (() => HealthCheck[]);
}

export interface RunningHttpServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

function withServerSpan(req: IncomingMessage, res: ServerResponse, path: string, handle: () => Promise<void>) {
  const { span, ctx } = serverSpanContext(req, path);
  if (span.isRecording()) res.setHeader('x-trace-id', span.spanContext().traceId);
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return context.with(ctx, handle);
}

/** A Node http server with /healthz, /readyz, exact-path routes and a graceful close. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const routes: Record<string, Route> = {
    '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    '/metrics': async (_req, res) => {
      const { body, contentType } = await renderMetrics();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    },
    '/readyz': async (_req, res) => {
      // Not ready while stopping, so balancers (and the gateway's replica probes) move on.
      const given = typeof options.checks === 'function' ? options.checks() : (options.checks ?? []);
      const checks: HealthCheck[] = [...given];
      if (options.ready) {
        const ready = options.ready;
        checks.unshift({
          name: 'self',
          required: true,
          check: async () => {
            if (!(await ready())) throw new Error('not started');
          },
        });
      }
      const report = await runChecks(checks, shuttingDown());
      sendJson(res, report.status === 'ready' ? 200 : 503, report);
    },
    ...options.routes,
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path] ?? options.fallback;
    const handle = async () => {
      if (!route) return sendJson(res, 404, { error: 'not found' });
      await route(req, res);
    };
    // One server span per request (probes aside), child of the caller's traceparent.
    const traced = UNTRACED.has(path) ? handle : () => withServerSpan(req, res, path, handle);
    traced().catch((error: unknown) => {
      if (error instanceof HttpError) return sendHttpError(res, error);
      options.log.error({ err: error, path }, 'unhandled request error');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`;
  return {
    server,
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish before their sockets are cut.
        setTimeout(() => server.closeAllConnections(), 3_000).unref();
      }),
  };
}
