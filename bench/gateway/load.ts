/**
 * The load generator of `bench/gateway.ts`, in a process of its own: autocannon, driven over
 * IPC, one run per message. Every request is timed here (setupRequest → onResponse; one
 * request at a time per connection) so p50/p95/p99 are exact.
 *
 * The mixed workload keeps, across runs, what every write it made returned (titles by
 * version, comment and post counts) and checks every read against what had been acknowledged
 * before the read was sent: an older value is a stale read.
 */
import autocannon from 'autocannon';
import { failChild, serveChild } from './child';

export interface FixedJob {
  kind: 'fixed';
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationSec: number;
}

export interface SeededPost {
  id: string;
  panelId: string;
  token: string;
  version: number;
  comments: number;
}

export interface MixedSeed {
  panels: { id: string; postCount: number }[];
  posts: SeededPost[];
  tokens: string[];
}

export interface MixedJob {
  kind: 'mixed';
  url: string;
  connections: number;
  durationSec: number;
  writeShare: number;
  readQuery: string;
  /** Sent once (the first mixed job): the data the benchmark seeded. */
  seed?: MixedSeed;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  /** The first failed response's body (start), to tell what went wrong. */
  errorExample?: string;
  reads?: number;
  writes?: number;
  staleReads?: number;
  staleExamples?: string[];
  bytesPerResponse: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

interface PanelState {
  id: string;
  postCount: number;
  posts: string[];
}

/** What the mixed workload knows to be written (acknowledged), across runs. */
const state = {
  panels: [] as PanelState[],
  posts: new Map<string, SeededPost>(),
  tokens: [] as string[],
  inFlightUpdates: new Set<string>(),
  created: 0,
};

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

interface Context {
  startedAt?: bigint;
  check?: (body: string) => string | undefined;
  onAck?: (body: string) => void;
  isWrite?: boolean;
}

function run(job: FixedJob | MixedJob): Promise<LoadResult> {
  if (job.kind === 'mixed' && job.seed) {
    state.panels = job.seed.panels.map((p) => ({ ...p, posts: [] }));
    for (const post of job.seed.posts) {
      state.posts.set(post.id, { ...post });
      state.panels.find((p) => p.id === post.panelId)!.posts.push(post.id);
    }
    state.tokens = job.seed.tokens;
  }
  const latencies: number[] = [];
  let errors = 0;
  let errorExample: string | undefined;
  let reads = 0;
  let writes = 0;
  let bytes = 0;
  const stale: string[] = [];
  const url = new URL(job.url);

  const setupMixed = (request: Record<string, unknown>, context: Context) => {
    context.isWrite = Math.random() < (job as MixedJob).writeShare;
    context.check = undefined;
    context.onAck = undefined;
    if (!context.isWrite) {
      const panel = pick(state.panels);
      const expected = { postCount: panel.postCount, posts: new Map<string, [number, number]>() };
      for (const id of panel.posts) {
        const post = state.posts.get(id)!;
        expected.posts.set(id, [post.version, post.comments]);
      }
      context.check = (body) => {
        const parsed = JSON.parse(body) as {
          data?: {
            panel: {
              postCount: number;
              posts: { edges: { node: { id: string; title: string; commentCount: number } }[] };
            };
          };
        };
        const page = parsed.data?.panel;
        if (!page) return undefined;
        if (page.postCount < expected.postCount)
          return `panel ${panel.id}: ${page.postCount} posts, ${expected.postCount} acknowledged`;
        for (const { node } of page.posts.edges) {
          const known = expected.posts.get(node.id);
          if (!known) continue;
          const version = Number(/^T(\d+) /.exec(node.title)?.[1] ?? -1);
          if (version < known[0]) return `post ${node.id}: title version ${version}, ${known[0]} acknowledged`;
          if (node.commentCount < known[1])
            return `post ${node.id}: ${node.commentCount} comments, ${known[1]} acknowledged`;
        }
        return undefined;
      };
      request.body = JSON.stringify({ query: (job as MixedJob).readQuery, variables: { id: panel.id } });
      request.headers = { 'content-type': 'application/json' };
      return request;
    }
    const kind = pick(['createPost', 'addComment', 'updatePost'] as const);
    if (kind === 'createPost') {
      const panel = pick(state.panels);
      const token = pick(state.tokens);
      request.body = JSON.stringify({
        query: 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        variables: {
          input: { panelId: panel.id, title: `T0 new post ${state.created++}`, body: 'Written under load.' },
        },
      });
      context.onAck = (body) => {
        const id = (JSON.parse(body) as { data?: { createPost?: { id: string } } }).data?.createPost?.id;
        if (!id) return;
        state.posts.set(id, { id, panelId: panel.id, token, version: 0, comments: 0 });
        panel.posts.push(id);
        panel.postCount += 1;
      };
      request.headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      return request;
    }
    const post = pick(state.panels.flatMap((p) => p.posts).length > 0 ? [...state.posts.values()] : []);
    if (kind === 'addComment') {
      request.body = JSON.stringify({
        query: 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
        variables: { input: { postId: post.id, body: 'A comment under load.' } },
      });
      context.onAck = (body) => {
        if ((JSON.parse(body) as { data?: unknown }).data) post.comments += 1;
      };
      request.headers = { 'content-type': 'application/json', authorization: `Bearer ${pick(state.tokens)}` };
      return request;
    }
    // One update of a post at a time, so acknowledged versions arrive in order.
    if (state.inFlightUpdates.has(post.id)) {
      context.isWrite = false;
      return setupMixed(request, context);
    }
    state.inFlightUpdates.add(post.id);
    const version = post.version + 1;
    request.body = JSON.stringify({
      query: 'mutation($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { id } }',
      variables: { id: post.id, input: { title: `T${version} edited under load` } },
    });
    context.onAck = (body) => {
      state.inFlightUpdates.delete(post.id);
      if ((JSON.parse(body) as { data?: unknown }).data) post.version = version;
    };
    request.headers = { 'content-type': 'application/json', authorization: `Bearer ${post.token}` };
    return request;
  };

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url.origin,
        connections: job.connections,
        duration: job.durationSec,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: url.pathname,
            headers: { 'content-type': 'application/json', ...(job.kind === 'fixed' ? job.headers : {}) },
            body: job.kind === 'fixed' ? job.body : '{}',
            setupRequest: (request: Record<string, unknown>, context: Context) => {
              context.startedAt = process.hrtime.bigint();
              return job.kind === 'mixed' ? setupMixed(request, context) : request;
            },
            onResponse: (status: number, body: string, context: Context) => {
              latencies.push(Number(process.hrtime.bigint() - context.startedAt!) / 1e6);
              bytes += body.length;
              const failed = status !== 200 || body.includes('"errors"');
              if (failed) {
                errors += 1;
                errorExample ??= `${status} ${body.slice(0, 500)}`;
              }
              if (job.kind !== 'mixed') return;
              if (context.isWrite) {
                writes += 1;
                if (!failed) context.onAck?.(body);
                else context.onAck?.('{}');
                return;
              }
              reads += 1;
              const problem = failed ? undefined : context.check?.(body);
              if (problem) stale.push(problem);
            },
          },
        ],
      } as never,
      (error: Error | null) => {
        if (error) return reject(error);
        const sorted = latencies.sort((a, b) => a - b);
        const round = (n: number) => Math.round(n * 100) / 100;
        resolve({
          requests: sorted.length,
          rps: round(sorted.length / job.durationSec),
          p50Ms: round(percentile(sorted, 50)),
          p95Ms: round(percentile(sorted, 95)),
          p99Ms: round(percentile(sorted, 99)),
          errors,
          errorExample,
          ...(job.kind === 'mixed'
            ? { reads, writes, staleReads: stale.length, staleExamples: stale.slice(0, 5) }
            : {}),
          bytesPerResponse: Math.round(bytes / Math.max(1, sorted.length)),
        });
      },
    );
    void instance;
  });
}

process.on('message', (message: { type: string; job?: FixedJob | MixedJob }) => {
  if (message.type !== 'run' || !message.job) return;
  run(message.job).then(
    (result) => process.send!({ type: 'done', result }),
    (error: unknown) => process.send!({ type: 'failed', error: String(error) }),
  );
});
serveChild({});
void failChild;
