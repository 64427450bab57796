import { crc32, deflateSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import type { SubgraphName } from '@agora/contracts/subgraphs';
import { freePort, spawnTsx, type Spawned } from '@agora/kit/testing';

export interface StackProcesses {
  gatewayUrl: string;
  /** GraphQL URL (the worker: its base URL) by process name. */
  urls: Record<string, string>;
  processes: Map<string, Spawned>;
  /** Kills every process (SIGKILL). */
  kill(): void;
}

/**
 * Agora in distributed mode for a test: each subgraph of `subgraphs` as its own process
 * (forum as `forum-1` and `forum-2` when `forumReplicas` is 2, on fixed free ports), the
 * pictures worker when pictures runs, then the gateway over them; against the backing
 * servers of the env, with `databaseUrl` and `env` on top.
 */
export async function startStack(options: {
  databaseUrl: string;
  subgraphs: SubgraphName[];
  forumReplicas?: 1 | 2;
  env?: NodeJS.ProcessEnv;
  /** Per process name, env on top of the rest (e.g. LOG_LEVEL). */
  envOf?: Record<string, NodeJS.ProcessEnv>;
}): Promise<StackProcesses> {
  const processes = new Map<string, Spawned>();
  const urls: Record<string, string> = {};
  const kill = () => processes.forEach((p) => p.kill('SIGKILL'));
  const start = async (name: string, entry: string, env: NodeJS.ProcessEnv, listening: string) => {
    const process = spawnTsx(
      entry,
      { DATABASE_URL: options.databaseUrl, ...options.env, ...env, ...options.envOf?.[name] },
      { keepBacking: true },
    );
    processes.set(name, process);
    urls[name] = String((await process.waitForLog(listening, 120_000)).url);
  };
  try {
    const wanted = new Set(options.subgraphs);
    if (wanted.has('auth')) await start('auth', 'subgraphs/auth/src/main.ts', { PORT: '0' }, 'auth subgraph listening');
    const common: NodeJS.ProcessEnv = urls.auth
      ? { AUTH_JWKS_URL: urls.auth.replace(/\/graphql$/, '/.well-known/jwks.json') }
      : {};
    const starting: Promise<void>[] = [];
    for (const name of ['users', 'comments', 'search', 'analytics'] as const) {
      if (wanted.has(name)) {
        starting.push(
          start(name, `subgraphs/${name}/src/main.ts`, { ...common, PORT: '0' }, `${name} subgraph listening`),
        );
      }
    }
    if (wanted.has('notifications')) {
      // A mail queue of its own: the shared RabbitMQ's `mail` queue is not this stack's to drain.
      const env = { ...common, PORT: '0', MAIL_QUEUE: `mail-${randomUUID()}` };
      starting.push(
        start('notifications', 'subgraphs/notifications/src/main.ts', env, 'notifications subgraph listening'),
      );
    }
    if (wanted.has('forum')) {
      const replicas = options.forumReplicas === 2 ? ['forum-1', 'forum-2'] : ['forum'];
      for (const name of replicas) {
        const port = String(await freePort());
        starting.push(
          start(name, 'subgraphs/forum/src/main.ts', { ...common, PORT: port }, 'forum subgraph listening'),
        );
      }
    }
    if (wanted.has('pictures')) {
      const env = { ...common, PORT: '0', PICTURES_WORKER: 'off' };
      starting.push(start('pictures', 'subgraphs/pictures/src/main.ts', env, 'pictures subgraph listening'));
      starting.push(start('pictures-worker', 'subgraphs/pictures/src/worker.ts', env, 'thumbnail worker running'));
    }
    await Promise.all(starting);
    const subgraphUrl = (name: string) =>
      name === 'forum' && options.forumReplicas === 2 ? `${urls['forum-1']},${urls['forum-2']}` : urls[name]!;
    const gatewayEnv: NodeJS.ProcessEnv = { ...common, PORT: '0', WEB_ROOT: '/nonexistent' };
    for (const name of wanted) gatewayEnv[`SUBGRAPH_${name.toUpperCase()}_URL`] = subgraphUrl(name);
    await start('gateway', 'gateway/src/main.ts', gatewayEnv, 'gateway listening');
    return { gatewayUrl: urls.gateway!, urls, processes, kill };
  } catch (error) {
    kill();
    throw error;
  }
}

/** A real 16×16 PNG (truecolour, one colour), as a client would upload. */
export function smallPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(16, 0);
  ihdr.writeUInt32BE(16, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(16 * 3, 0x80)]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: 16 }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
