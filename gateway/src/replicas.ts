import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Kind, parse, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { HealthCheck } from '@agora/kit/health';
import type { Logger } from '@agora/kit/log';
import { metrics } from '@agora/kit/metrics';
import { sleep } from '@agora/kit/time';
import { inSpan, SpanKind, traceHeaders } from '@agora/kit/tracing';

/** The error code of a subgraph that could not be reached (every replica down, or no answer). */
export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';
/** An ejected replica's /readyz is asked this often; a 200 puts it back in turn. */
const PROBE_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 1_000;

type Fetcher = typeof fetch;

export interface ReplicaState {
  url: string;
  healthy: boolean;
  /** Why it was ejected (the last failure), while it is out. */
  reason?: string;
}

/** Thrown by the replica set's fetch when no replica answered: what the caller is told. */
export class SubgraphUnavailable extends Error {
  constructor(
    readonly service: string,
    /** The request may have reached a replica (so a mutation may have been applied). */
    readonly mayHaveReached: boolean,
    cause: string,
  ) {
    super(cause);
  }
}

/**
 * A subgraph's replicas with passive health checks. Requests take the healthy replicas in
 * turn. A replica that fails at the connection level (refused, reset, timed out) or answers
 * 502/503/504 is ejected, and its /readyz is probed every 500 ms until it answers 200, which
 * puts it back. A failed request is tried once more on another replica when that is safe:
 * a query (reads), or any request the first replica never received (connection refused).
 * A mutation that may have reached a subgraph is never sent twice. With every replica out,
 * requests still try them (the failure is then the caller's answer, not a guess).
 */
export class ReplicaSet {
  readonly replicas: ReplicaState[];
  private turn = 0;
  private readonly probing = new Set<ReplicaState>();
  private closed = false;

  constructor(
    readonly service: string,
    urls: string[],
    private readonly fetcher: Fetcher,
    private readonly log: Logger,
  ) {
    this.replicas = urls.map((url) => ({ url, healthy: true }));
    metrics.replicasHealthy.set({ subgraph: service }, this.replicas.length);
  }

  private countHealthy(): void {
    metrics.replicasHealthy.set({ subgraph: this.service }, this.replicas.filter((r) => r.healthy).length);
  }

  /** The fetch Apollo's data source calls: `url` is ignored, a replica is chosen here. */
  readonly fetch = async (_url: string, init?: RequestInit): Promise<Response> => {
    const subgraph = this.service;
    const first = this.pick();
    const attempt = await this.attempt(first, init);
    if (attempt.ok) return attempt.response;
    metrics.subgraphFetches.inc({ subgraph, outcome: 'failed' });
    const retryable = !attempt.reached || isQuery(init?.body);
    const other = retryable ? this.pick(first) : undefined;
    if (other && other !== first) {
      metrics.subgraphRetries.inc({ subgraph });
      const second = await this.attempt(other, init);
      if (second.ok) return second.response;
      metrics.subgraphFetches.inc({ subgraph, outcome: 'failed' });
      metrics.subgraphFetches.inc({ subgraph, outcome: 'unavailable' });
      throw new SubgraphUnavailable(this.service, attempt.reached || second.reached, second.reason);
    }
    metrics.subgraphFetches.inc({ subgraph, outcome: 'unavailable' });
    throw new SubgraphUnavailable(this.service, attempt.reached, attempt.reason);
  };

  close(): void {
    this.closed = true;
  }

  /** The next healthy replica (not `except`); any other replica when none is healthy. */
  private pick(except?: ReplicaState): ReplicaState {
    const candidates = this.replicas.filter((r) => r !== except);
    const healthy = candidates.filter((r) => r.healthy);
    const from = healthy.length > 0 ? healthy : candidates.length > 0 ? candidates : this.replicas;
    return from[this.turn++ % from.length]!;
  }

  private async attempt(
    replica: ReplicaState,
    init: RequestInit | undefined,
  ): Promise<{ ok: true; response: Response } | { ok: false; reached: boolean; reason: string }> {
    const end = metrics.subgraphFetchDuration.startTimer({ subgraph: this.service });
    try {
      const response = await inSpan(
        `POST ${this.service}`,
        { kind: SpanKind.CLIENT, attributes: { 'agora.subgraph': this.service, 'url.full': replica.url } },
        async (span) => {
          const headers = { ...(init?.headers as Record<string, string> | undefined), ...traceHeaders() };
          const answer = await this.fetcher(replica.url, { ...init, headers });
          span.setAttribute('http.response.status_code', answer.status);
          return answer;
        },
      );
      if (response.status === 502 || response.status === 503 || response.status === 504) {
        await response.body?.cancel().catch(() => undefined);
        end();
        this.eject(replica, `HTTP ${response.status}`);
        // A 503 is a replica refusing work (draining, not ready): it did nothing.
        return { ok: false, reached: response.status !== 503, reason: `HTTP ${response.status}` };
      }
      end();
      metrics.subgraphFetches.inc({ subgraph: this.service, outcome: 'ok' });
      return { ok: true, response };
    } catch (error) {
      end();
      const code = errorCode(error);
      this.eject(replica, code);
      return { ok: false, reached: code !== 'ECONNREFUSED', reason: code };
    }
  }

  private eject(replica: ReplicaState, reason: string): void {
    if (!replica.healthy) return;
    replica.healthy = false;
    replica.reason = reason;
    metrics.replicaEjections.inc({ subgraph: this.service });
    this.countHealthy();
    this.log.warn({ service: this.service, replica: replica.url, reason }, 'subgraph replica ejected');
    void this.probe(replica);
  }

  private async probe(replica: ReplicaState): Promise<void> {
    if (this.probing.has(replica)) return;
    this.probing.add(replica);
    const readyz = new URL('/readyz', replica.url).toString();
    try {
      while (!this.closed) {
        await sleep(PROBE_INTERVAL_MS);
        const ok = await this.fetcher(readyz, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
          async (r) => {
            await r.body?.cancel().catch(() => undefined);
            return r.ok;
          },
          () => false,
        );
        if (ok) {
          replica.healthy = true;
          replica.reason = undefined;
          this.countHealthy();
          this.log.info({ service: this.service, replica: replica.url }, 'subgraph replica back in turn');
          return;
        }
      }
    } finally {
      this.probing.delete(replica);
    }
  }
}

/** Node's / undici's code for a failed fetch (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, …). */
function errorCode(error: unknown): string {
  const e = error as { code?: string; name?: string; cause?: { code?: string; name?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.name ?? e.name ?? 'fetch failed';
}

/** Whether a subgraph request body is a query (safe to send again); the gateway sends JSON. */
function isQuery(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    const query = (JSON.parse(body) as { query?: string }).query ?? '';
    return /^\s*(query\b|\{)/.test(query);
  } catch {
    return false;
  }
}

/**
 * Apollo's data source over a ReplicaSet. When the subgraph cannot be reached, the fetch
 * does not fail the whole operation: it answers errors with the code SUBGRAPH_UNAVAILABLE,
 * naming the service, on the paths of the fields it should have resolved, so the gateway
 * nulls just those fields (nullable ones keep their parent) and the rest of the response
 * stands. The cause (an address, a socket error) is logged once, never sent to the client.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Apollo's own constraint
export class SubgraphClient<C extends Record<string, any>> extends RemoteGraphQLDataSource<C> {
  constructor(
    readonly replicaSet: ReplicaSet,
    private readonly log: Logger,
    config: Partial<Pick<RemoteGraphQLDataSource<C>, 'willSendRequest'>> & {
      /** Reshapes a replica's answer before Apollo reads it (e.g. a 4xx that carries GraphQL errors). */
      adapt?: (response: Response) => Promise<Response>;
    } = {},
  ) {
    const { adapt, ...rest } = config;
    const fetcher = async (url: string, init: RequestInit) => {
      const response = (await replicaSet.fetch(url, init as never)) as unknown as Response;
      return adapt ? adapt(response) : response;
    };
    super({ ...rest, url: replicaSet.replicas[0]?.url ?? '', fetcher: fetcher as never });
  }

  override async process(options: GraphQLDataSourceProcessOptions<C>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      if (!(error instanceof SubgraphUnavailable)) throw error;
      const { request } = options;
      const operation = operationOf(request.query);
      const mutation = operation?.operation === 'mutation';
      this.log.warn(
        {
          service: error.service,
          operation: request.operationName,
          requestId: (options.context as { requestId?: string }).requestId,
          reason: error.message,
        },
        'subgraph unavailable',
      );
      const message =
        mutation && error.mayHaveReached
          ? `The ${error.service} service did not answer; the change may or may not have been made`
          : `The ${error.service} service is unavailable; try again shortly`;
      const representations = (request.variables as { representations?: unknown[] } | undefined)?.representations;
      return {
        errors: errorPaths(operation, representations?.length).map((path) => unavailable(message, error.service, path)),
      };
    }
  }
}

const unavailable = (message: string, service: string, path: (string | number)[] | undefined) => ({
  message,
  ...(path && { path }),
  extensions: { code: SUBGRAPH_UNAVAILABLE, service },
});

function operationOf(query: string | undefined): OperationDefinitionNode | undefined {
  if (!query) return undefined;
  try {
    return parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return undefined;
  }
}

/** At most this many entities get an error each (a page is at most 100). */
const MAX_ENTITY_ERRORS = 100;

/**
 * The paths, in the subgraph's response, of the fields a failed fetch should have resolved:
 * its root fields, or for an entity fetch each entity's fields (`_entities.i.field`, which
 * the gateway turns into the paths of the client's response).
 */
function errorPaths(
  operation: OperationDefinitionNode | undefined,
  entityCount: number | undefined,
): ((string | number)[] | undefined)[] {
  if (!operation) return [undefined];
  const roots = responseKeys(operation.selectionSet);
  const entities = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
  if (!entities || entities.kind !== Kind.FIELD || !entities.selectionSet || entityCount === undefined) {
    return roots.length > 0 ? roots.map((key) => [key]) : [undefined];
  }
  const fields = responseKeys(entities.selectionSet).filter((key) => key !== '__typename');
  const paths: (string | number)[][] = [];
  for (let i = 0; i < Math.min(entityCount, MAX_ENTITY_ERRORS); i++) {
    for (const field of fields) paths.push(['_entities', i, field]);
  }
  return paths.length > 0 ? paths : [undefined];
}

/** Response keys of a selection set, looking into inline fragments (`... on Post { … }`). */
function responseKeys(selectionSet: SelectionSetNode): string[] {
  const keys: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) keys.push(selection.alias?.value ?? selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) keys.push(...responseKeys(selection.selectionSet));
  }
  return [...new Set(keys)];
}

/**
 * The gateway's view of its subgraphs for /readyz: one optional check per subgraph, down
 * when every replica is ejected. Optional: the gateway still answers what the other
 * subgraphs serve (partial results), so it stays ready.
 */
export function replicaChecks(sets: Map<string, ReplicaSet>): HealthCheck[] {
  return [...sets.values()].map((set) => ({
    name: `subgraph ${set.service}`,
    required: false,
    check: async () => {
      const out = set.replicas.filter((r) => !r.healthy);
      if (out.length === set.replicas.length) {
        throw new Error(`every replica ejected (${out.map((r) => `${r.url}: ${r.reason}`).join('; ')})`);
      }
    },
  }));
}
