/**
 * Search: `npm run bench:search`. Builds an index of BENCH_DOCS documents (100 000) from
 * events — the search service's own consumer reading registrations, posts, comments and
 * pictures from the event log, as in production — then measures, in the same run:
 *
 * - query latency (p50/p95) of a word, a "phrase", a word with a one-letter typo (no match,
 *   correction, second query) and a word with a tag filter, each the service's full query
 *   (rank, recency, count, highlights of a 20-result page, blocks);
 * - the baseline: the same words found by an `ILIKE '%word%'` scan of the same rows (title or
 *   body), newest 20 with the count, as a table without full-text search would;
 * - the word query end to end through the subgraph's GraphQL endpoint;
 * - event-to-searchable lag (p50/p95): from publishing a post event to the commit of its
 *   index row (the moment a search finds it), one at a time, on the built index.
 *
 * PGlite (embedded) by default; with BENCH_DATABASE_URL, a fresh database on that PostgreSQL
 * server (dropped afterwards). Writes bench/results/search[-postgres].json. Not part of `npm test`.
 */
import { randomUUID } from 'node:crypto';
import {
  commentCreated,
  pictureProcessedEvent,
  pictureUploaded,
  postCreated,
  userRegistered,
  type EventEnvelope,
} from '@agora/contracts/events';
import { MemoryEventLog } from '@agora/kit/events/memory';
import type { ConsumerOptions, EventLog } from '@agora/kit/events/port';
import { embeddedInfra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import { DataSource } from 'typeorm';
import { sleep } from '@agora/kit/time';
import { INDEX_TOPICS } from '@agora/search/events/projector';
import { runSearch } from '@agora/search/resolvers/search';
import { startSearch, type RunningSearch } from '@agora/search/service';
import { percentile, writeResult } from './lib';

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const LAG_SAMPLES = Number(process.env.BENCH_LAG_SAMPLES ?? 200);
const DATABASE = process.env.BENCH_DATABASE_URL;

// ---- a deterministic corpus ----------------------------------------------------------------
let state = 42;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'ven',
  'tor',
  'sel',
  'dun',
  'pri',
  'gal',
  'ost',
  'bem',
  'ric',
  'nal',
  'tep',
  'quo',
];
/** 6 000 made-up words, used with a Zipf distribution as natural text is. */
const VOCABULARY = (() => {
  const words = new Set<string>();
  while (words.size < 6_000) {
    const n = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length: n }, () => pick(SYLLABLES)).join(''));
  }
  return [...words];
})();
const ZIPF = (() => {
  const weights = VOCABULARY.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
})();
const zipfWord = () => {
  const r = random();
  let lo = 0;
  let hi = ZIPF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ZIPF[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo]!;
};
const words = (n: number) => Array.from({ length: n }, zipfWord).join(' ');
const TAGS = Array.from({ length: 200 }, (_, i) => `tag${i}`);
const zipfTag = () => TAGS[Math.min(TAGS.length - 1, Math.floor(TAGS.length * random() ** 3))]!;
/** Two-word phrases planted in 1 % of bodies each. */
const PHRASES = Array.from({ length: 20 }, (_, i) => [VOCABULARY[300 + i]!, VOCABULARY[900 + i]!]);

/** Query words of middle frequency (ranks 200–400 of 6 000). */
const QUERY_WORDS = VOCABULARY.slice(200, 220);

function typoOf(word: string): string {
  for (let i = 2; i < word.length - 1; i++) {
    const swapped = word.slice(0, i) + (word[i] === 'x' ? 'z' : 'x') + word.slice(i + 1);
    if (!VOCABULARY.includes(swapped)) return swapped;
  }
  return `${word}x`;
}

// ---- the event stream ------------------------------------------------------------------------
interface Planned {
  topic: string;
  events: EventEnvelope[];
}

function* corpus(docs: number): Generator<Planned> {
  const users = Math.max(10, Math.round(docs * 0.05));
  const pictures = Math.round(docs * 0.1);
  const comments = Math.round(docs * 0.25);
  const posts = docs - users - pictures - comments;
  const people: string[] = [];
  for (let i = 0; i < users; i++) {
    const userId = randomUUID();
    people.push(userId);
    yield {
      topic: 'auth.users',
      events: [userRegistered.build({ subject: userId, data: { userId, handle: `user${i}`, displayName: words(2) } })],
    };
  }
  const postIds: string[] = [];
  const start = Date.now() - docs * 60_000;
  for (let i = 0; i < posts; i++) {
    const id = randomUUID();
    postIds.push(id);
    const at = new Date(start + i * 60_000).toISOString();
    const body = words(30 + Math.floor(random() * 50));
    const phrase = random() < 0.2 ? ` ${pick(PHRASES).join(' ')} ` : ' ';
    yield {
      topic: 'forum.posts',
      events: [
        postCreated.build({
          subject: id,
          data: {
            id,
            panelId: id,
            authorId: pick(people),
            title: words(4 + Math.floor(random() * 5)),
            body: body.slice(0, body.length >> 1) + phrase + body.slice(body.length >> 1),
            tags: [zipfTag(), zipfTag()],
            createdAt: at,
            updatedAt: at,
          },
        }),
      ],
    };
  }
  for (let i = 0; i < comments; i++) {
    const id = randomUUID();
    const at = new Date(start + i * 60_000).toISOString();
    yield {
      topic: 'comments.comments',
      events: [
        commentCreated.build({
          subject: id,
          data: {
            id,
            postId: pick(postIds),
            authorId: pick(people),
            parentId: null,
            body: words(8 + Math.floor(random() * 30)),
            createdAt: at,
            updatedAt: at,
          },
        }),
      ],
    };
  }
  for (let i = 0; i < pictures; i++) {
    const data = {
      id: randomUUID(),
      ownerId: pick(people),
      title: words(3),
      tags: [zipfTag()],
      contentType: 'image/png',
      width: 100,
      height: 100,
      byteSize: 1000,
      status: 'PROCESSING' as const,
      createdAt: new Date(start + i * 60_000).toISOString(),
    };
    yield {
      topic: 'pictures.pictures',
      events: [
        pictureUploaded.build({ subject: data.id, data }),
        pictureProcessedEvent.build({ subject: data.id, data: { ...data, status: 'READY' } }),
      ],
    };
  }
}

/** The event log, with the moment each event's handling resolved (its index row committed). */
function timedLog(inner: EventLog, indexedAt: Map<string, number>): EventLog {
  return {
    publish: (topic, events) => inner.publish(topic, events),
    backlog: (group, topics) => inner.backlog(group, topics),
    close: () => inner.close(),
    subscribe: (options: ConsumerOptions) =>
      inner.subscribe({
        ...options,
        handle: async (event, topic) => {
          await options.handle(event, topic);
          if (indexedAt.has(event.id)) indexedAt.set(event.id, performance.now());
        },
      }),
  };
}

/** A new database on BENCH_DATABASE_URL's server, dropped afterwards. */
async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_search_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const server = await new DataSource({ type: 'postgres', url: serverUrl }).initialize();
  await server.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.destroy();
    },
  };
}

// ---- measuring -------------------------------------------------------------------------------
interface Stats {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  meanResults: number;
}

async function measure(runs: number, query: (i: number) => Promise<number>): Promise<Stats> {
  for (let i = 0; i < 3; i++) await query(i); // warm-up
  const times: number[] = [];
  let results = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    results += await query(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    runs,
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    meanResults: round(results / runs),
  };
}

async function main() {
  const log = createLogger('bench');
  const database = DATABASE ? await freshDatabase(DATABASE) : undefined;
  const indexedAt = new Map<string, number>();
  const events = timedLog(new MemoryEventLog(), indexedAt);
  const infra = { ...embeddedInfra(), events };
  const search: RunningSearch = await startSearch({
    host: '127.0.0.1',
    port: 0,
    log,
    maxBodyBytes: 1_048_576,
    databaseUrl: database?.url,
    infra,
    identify: async () => null,
  });
  const group = search.indexer.group!;
  const backlog = () => events.backlog(group, INDEX_TOPICS);
  try {
    // 1. The index, from events, with bounded memory: publish ahead of the consumer by at most 2 000.
    process.stdout.write(`indexing ${DOCS} documents from events (${DATABASE ? 'PostgreSQL' : 'PGlite'})…\n`);
    const built = performance.now();
    let published = 0;
    for (const { topic, events: batch } of corpus(DOCS)) {
      await events.publish(topic, batch);
      published += batch.length;
      if (published % 1_000 === 0) {
        while ((await backlog()) > 2_000) await sleep(50);
        if (published % 10_000 === 0) process.stdout.write(`  ${published} events published\n`);
      }
    }
    while ((await backlog()) > 0) await sleep(100);
    const buildSeconds = (performance.now() - built) / 1000;
    const [counted] = (await search.db.query(`SELECT count(*)::int AS n FROM search_documents WHERE visible`)) as {
      n: number;
    }[];
    const documents = counted!.n;
    process.stdout.write(`  ${documents} searchable documents, ${published} events in ${buildSeconds.toFixed(0)} s\n`);

    // 2. Queries against the baseline, in the same run, on the same rows.
    const store = search.store;
    // The resolver's own path: validation, prefix on the last word, correction when nothing matches, highlights.
    const viewer = randomUUID();
    const full = async (query: string, tags?: string[]) =>
      (await runSearch(store, viewer, { query, tags, first: 20 })).totalCount;
    const ilike = async (word: string) => {
      const rows = (await search.db.query(
        `SELECT id, count(*) OVER () AS total FROM search_documents
         WHERE visible AND (title ILIKE $1 OR body ILIKE $1) ORDER BY created_at DESC LIMIT 20`,
        [`%${word}%`],
      )) as { total: number }[];
      return Number(rows[0]?.total ?? 0);
    };
    const word = (i: number) => QUERY_WORDS[i % QUERY_WORDS.length]!;
    const queries = {
      word: await measure(RUNS, (i) => full(word(i))),
      phrase: await measure(RUNS, (i) => full(`"${PHRASES[i % PHRASES.length]!.join(' ')}"`)),
      typo: await measure(RUNS, (i) => full(typoOf(word(i)))),
      tagFilter: await measure(RUNS, (i) => full(word(i), [TAGS[i % 5]!])),
      ilikeScan: await measure(RUNS, (i) => ilike(word(i))),
    };
    const graphql = await measure(RUNS, async (i) => {
      const res = await fetch(search.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'query($q: String!) { search(query: $q) { totalCount edges { score highlight node { __typename } } } }',
          variables: { q: word(i) },
        }),
      });
      const body = (await res.json()) as { data: { search: { totalCount: number } } };
      return body.data.search.totalCount;
    });

    // 3. Event to searchable, one post at a time on the built index.
    const lags: number[] = [];
    for (let i = 0; i < LAG_SAMPLES; i++) {
      const id = randomUUID();
      const at = new Date().toISOString();
      const event = postCreated.build({
        subject: id,
        data: {
          id,
          panelId: id,
          authorId: id,
          title: `lag probe ${i}`,
          body: words(40),
          tags: [],
          createdAt: at,
          updatedAt: at,
        },
      });
      indexedAt.set(event.id, 0);
      const t0 = performance.now();
      await events.publish('forum.posts', [event]);
      while (indexedAt.get(event.id) === 0) await new Promise((r) => setImmediate(r));
      lags.push(indexedAt.get(event.id)! - t0);
      indexedAt.delete(event.id);
    }
    lags.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 100) / 100;
    const lag = { samples: lags.length, p50Ms: round(percentile(lags, 50)), p95Ms: round(percentile(lags, 95)) };
    const probe = await runSearch(store, null, { query: '"lag probe"', first: 1 });
    if (probe.totalCount !== LAG_SAMPLES)
      throw new Error(`lag probes: ${probe.totalCount} searchable of ${LAG_SAMPLES}`);

    const ratio = (kind: keyof typeof queries) => round(queries.ilikeScan.p50Ms / queries[kind].p50Ms);
    const result = {
      date: new Date().toISOString(),
      database: DATABASE ? 'PostgreSQL' : 'PGlite',
      documents,
      events: published,
      build: { seconds: round(buildSeconds), eventsPerSecond: Math.round(published / buildSeconds) },
      queries,
      graphqlWordQuery: graphql,
      scanOverFullText: {
        word: ratio('word'),
        phrase: ratio('phrase'),
        typo: ratio('typo'),
        tagFilter: ratio('tagFilter'),
      },
      eventToSearchable: lag,
    };
    const file = writeResult(DATABASE ? 'search-postgres' : 'search', result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${file}\n`);
  } finally {
    await search.close();
    await infra.close();
    await database?.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
