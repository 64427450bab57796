import { metrics } from '@agora/kit/metrics';
import { type ResponseHeaders, SubgraphResponse, type SubgraphRequestInit } from './fetcher';

/**
 * Headers that differ on every request without changing the answer: left out of the key.
 * Every other header (authorization, x-api-key, the forwarded address and its signature, …)
 * is part of it, so a header added later keeps callers apart by default.
 */
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'traceparent', 'tracestate', 'baggage', 'content-length']);

type Fetch = (url: string, init?: SubgraphRequestInit) => Promise<SubgraphResponse>;

interface Answer {
  status: number;
  headers: ResponseHeaders;
  url: string;
  text: string;
}

interface InFlight {
  epoch: number;
  answer: Promise<Answer>;
}

export interface InFlightStats {
  /** Query fetches sent to a subgraph. */
  sent: number;
  /** Query fetches answered by another caller's fetch instead. */
  shared: number;
  /** Mutations (and anything not a query) passed through, each bumping the write epoch. */
  writes: number;
}

/**
 * In-flight deduplication of identical subgraph reads (as Hive Gateway does): concurrent
 * query fetches to the same subgraph URL with the same body and the same caller headers
 * share one request; each caller gets its own response (its own body to parse) or its own
 * copy of the error.
 *
 * Write ordering: a read never joins a fetch that began before a write it could have
 * observed. The write epoch is bumped when this gateway sends anything but a query to a
 * subgraph, again when that answers (a fetch begun while the write was in flight may have
 * missed it), and on `bump()` (the response cache's invalidation events: writes made
 * elsewhere). A fetch is joined only by reads of its own epoch. Entries leave the map as
 * soon as their answer is read: nothing is kept after completion.
 */
export class InFlightReads {
  private epoch = 0;
  private readonly inFlight = new Map<string, InFlight>();
  readonly stats: InFlightStats = { sent: 0, shared: 0, writes: 0 };

  /** A write may have happened (elsewhere): no read begun from now on joins an earlier fetch. */
  bump(): void {
    this.epoch += 1;
  }

  /** Fetches in flight (for tests: 0 once everything has answered). */
  get size(): number {
    return this.inFlight.size;
  }

  /** `fetch` with identical concurrent reads sharing one request. */
  wrap(fetch: Fetch): Fetch {
    return async (url, init) => {
      const body = init?.body;
      if (typeof body !== 'string' || (init?.method ?? 'GET').toUpperCase() !== 'POST') return fetch(url, init);
      if (!isQuery(body)) return this.write(fetch, url, init);
      // A caller that may abort its own request keeps it to itself.
      if (init?.signal) return fetch(url, init);
      const key = keyOf(url, init?.headers, body);
      const joined = this.inFlight.get(key);
      if (joined && joined.epoch === this.epoch) {
        this.stats.shared += 1;
        metrics.sharedReads.inc();
        return responseFrom(await joined.answer.catch(rethrowCopy));
      }
      this.stats.sent += 1;
      const entry: InFlight = { epoch: this.epoch, answer: read(fetch, url, init) };
      this.inFlight.set(key, entry);
      const done = () => {
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      };
      entry.answer.then(done, done);
      return responseFrom(await entry.answer);
    };
  }

  private async write(fetch: Fetch, url: string, init: SubgraphRequestInit | undefined): Promise<SubgraphResponse> {
    this.stats.writes += 1;
    this.bump();
    try {
      return await fetch(url, init);
    } finally {
      this.bump();
    }
  }
}

async function read(fetch: Fetch, url: string, init: SubgraphRequestInit | undefined): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, url: response.url, text: await response.text() };
}

const responseFrom = (answer: Answer) => new SubgraphResponse(answer.status, answer.headers, answer.url, answer.text);

/** Each sharer gets its own error object (same class, message, code and fields). */
function rethrowCopy(error: unknown): never {
  if (!(error instanceof Error)) throw error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(error));
  throw copy;
}

function keyOf(url: string, headers: SubgraphRequestInit['headers'], body: string): string {
  const entries =
    headers === undefined || headers === null
      ? []
      : Array.isArray(headers)
        ? headers
        : typeof (headers as Headers).entries === 'function'
          ? [...(headers as Headers).entries()]
          : Object.entries(headers);
  const kept = entries
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => !PER_REQUEST_HEADERS.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([url, kept, body]);
}

const QUERY_BODY = /^\{"query":"(?:query\b|\{)/;
const WRITE_WORD = /\b(?:mutation|subscription)\b/;

/**
 * Whether a subgraph request body is a query operation, without parsing it: Apollo Gateway
 * sends `{"query":"query Name__forum__0(…){…}",…}` (or a bare `{…}` selection), one
 * operation per request. Anything else — a mutation, a subscription, a body written another
 * way, or the word mutation/subscription anywhere in it — is not shared and counts as a write.
 */
export function isQuery(body: string): boolean {
  return QUERY_BODY.test(body) && !WRITE_WORD.test(body);
}
