/**
 * `npm run start:distributed`: Agora in distributed mode on this machine, against the servers
 * devstack runs (`npm run devstack -- up`): every subgraph in its own process (forum twice, as
 * two replicas), the pictures thumbnail worker, and the gateway spreading requests over the
 * replicas, each process configured only by env; the notifications mail worker sends to
 * devstack's SMTP catcher (read the mail at MAILCATCHER_URL, http://127.0.0.1:51080/). Output
 * lines are prefixed with the process name; Ctrl-C (SIGINT) or SIGTERM stops them all. A process
 * that dies once the stack is up is restarted, with backoff (1 s, doubling to 30 s; back to 1 s
 * after a minute of running), while the others keep serving; one that dies while the stack
 * starts stops everything.
 *
 * Env (all optional):
 *   PORT_BASE        4000: the gateway listens on it, subgraph `n` of DESIGN.md on PORT_BASE + n
 *                    (users +1 … analytics +7), a subgraph's further replicas 10 apart
 *                    (forum's second replica on PORT_BASE + 13)
 *   <NAME>_REPLICAS  processes per subgraph, 1–9 (FORUM_REPLICAS defaults to 2, the others to 1)
 *   SERVICES         comma-separated subgraphs to start (default: every one with a src/main.ts)
 *   HOST, LOG_LEVEL  passed to every process; DATA_DIR (.data/distributed) holds the blob store
 *   DATABASE_URL, REDIS_URL, KAFKA_BROKERS, AMQP_URL, MONGO_URL
 *                    override devstack's servers; with all five set, devstack need not run
 *   READY_TIMEOUT_MS 120000: how long a process may take to answer /readyz
 * Each service keeps its tables in its own PostgreSQL schema of DATABASE_URL's database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { loadConfig, port } from '@agora/kit/config';
import { sleep } from '@agora/kit/time';
import { SUBGRAPHS } from '@agora/contracts/subgraphs';

const REPO = resolve(__dirname, '../../..');
const BACKING = ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS', 'AMQP_URL', 'MONGO_URL'] as const;
const PICTURES_WORKER = 'subgraphs/pictures/src/worker.ts';
const NOTIFICATIONS_WORKER = 'subgraphs/notifications/src/worker.ts';
/** devstack services that may be stopped: without its SMTP catcher, e-mail goes to .eml files. */
const OPTIONAL_DEVSTACK = new Set(['smtp']);
const STOP_GRACE_MS = 15_000;
/** Restart backoff: the first restart after RESTART_MIN_MS, doubling up to RESTART_MAX_MS. */
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** A process that ran this long before dying is restarted after RESTART_MIN_MS again. */
const STABLE_AFTER_MS = 60_000;

interface Spec {
  name: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Where /readyz answers; none for a process without HTTP (a worker). */
  url?: string;
}

interface Running extends Spec {
  child: ChildProcess;
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | string | null>;
  startedAt: number;
}

const mainOf = (name: string) => `subgraphs/${name}/src/main.ts`;

function readConfig() {
  const replicas = Object.fromEntries(
    SUBGRAPHS.map(({ name }) => [
      `${name.toUpperCase()}_REPLICAS`,
      z.coerce
        .number()
        .int()
        .min(1)
        .max(9)
        .default(name === 'forum' ? 2 : 1),
    ]),
  );
  const config = loadConfig(
    z.object({
      PORT_BASE: port(4000).refine((p) => p > 0 && p + 97 <= 65535, 'must leave room for 97 ports above it'),
      HOST: z.string().default('127.0.0.1'),
      DATA_DIR: z.string().default('.data/distributed'),
      SERVICES: z.string().optional(),
      READY_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
      ...replicas,
    }),
  );
  const available = SUBGRAPHS.map(({ name }) => name);
  const wanted = config.SERVICES?.split(',').map((s) => s.trim()) ?? available;
  const unknown = wanted.filter((name) => !available.includes(name as never));
  if (unknown.length > 0) {
    throw new Error(`SERVICES: no ${unknown.map(mainOf).join(', ')} (available: ${available.join(', ')})`);
  }
  const services = SUBGRAPHS.filter(({ name }) => wanted.includes(name)).map(({ name, port: embeddedPort }) => ({
    name,
    offset: embeddedPort - 4000,
    replicas: (config as Record<string, unknown>)[`${name.toUpperCase()}_REPLICAS`] as number,
  }));
  return { ...config, services };
}

/** The backing servers' URLs: the env's, and devstack's for the ones it doesn't set. */
function backingEnv(): Record<string, string> {
  const given = Object.fromEntries(BACKING.filter((key) => process.env[key]).map((key) => [key, process.env[key]!]));
  if (Object.keys(given).length === BACKING.length) return given;
  const status = spawnSync('bash', ['scripts/devstack', 'status'], { cwd: REPO, encoding: 'utf8' });
  const stopped = status.stdout
    .split('\n')
    .filter((line) => /\bstopped\b/.test(line))
    .map((line) => line.split(/\s+/)[0])
    .filter((name) => !OPTIONAL_DEVSTACK.has(name!));
  if (status.status !== 0 || stopped.length > 0) {
    const missing = BACKING.filter((key) => !given[key]);
    throw new Error(
      `devstack is not running (stopped: ${stopped.join(', ') || 'unknown'}): start it with \`npm run devstack -- up\`, ` +
        `or set ${missing.join(', ')} to your own servers`,
    );
  }
  const devstack = spawnSync('bash', ['scripts/devstack', 'env'], { cwd: REPO, encoding: 'utf8' });
  const lines = devstack.stdout.split('\n').filter((line) => line.includes('='));
  const env: Record<string, string> = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  if (!/^smtp\s+running\b/m.test(status.stdout)) {
    delete env.MAILCATCHER_SMTP_URL;
    delete env.MAILCATCHER_URL;
  }
  return { ...env, ...given };
}

/** Every process to start: the subgraphs' replicas, the pictures worker, then the gateway. */
function plan(
  config: ReturnType<typeof readConfig>,
  backing: Record<string, string>,
): { subgraphs: Spec[]; gateway: Spec; mailViewer?: string } {
  const url = (port: number) => `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  const shared: NodeJS.ProcessEnv = { ...process.env, ...backing, HOST: config.HOST, DATA_DIR: config.DATA_DIR };
  const auth = config.services.find((s) => s.name === 'auth');
  if (auth) shared.AUTH_JWKS_URL = `${url(config.PORT_BASE + auth.offset)}/.well-known/jwks.json`;
  const withWorker = existsSync(resolve(REPO, PICTURES_WORKER)) && config.services.some((s) => s.name === 'pictures');
  const withMailWorker =
    existsSync(resolve(REPO, NOTIFICATIONS_WORKER)) && config.services.some((s) => s.name === 'notifications');

  const subgraphs: Spec[] = [];
  const gatewayEnv: NodeJS.ProcessEnv = { ...shared, PORT: String(config.PORT_BASE) };
  for (const service of config.services) {
    const urls: string[] = [];
    for (let replica = 0; replica < service.replicas; replica++) {
      const port = config.PORT_BASE + service.offset + 10 * replica;
      subgraphs.push({
        name: service.replicas > 1 ? `${service.name}-${replica + 1}` : service.name,
        entry: mainOf(service.name),
        // The pictures worker, when it runs as its own process, makes the thumbnails.
        env: {
          ...shared,
          PORT: String(port),
          ...(service.name === 'pictures' && withWorker && { PICTURES_WORKER: 'off' }),
          ...(service.name === 'notifications' && withMailWorker && { NOTIFICATIONS_MAIL_WORKER: 'off' }),
        },
        url: url(port),
      });
      urls.push(`${url(port)}/graphql`);
    }
    gatewayEnv[`SUBGRAPH_${service.name.toUpperCase()}_URL`] = urls.join(',');
  }
  // The worker serves only /healthz, /readyz and /metrics, on PORT_BASE + 95.
  const workerPort = config.PORT_BASE + 95;
  if (withWorker) {
    subgraphs.push({
      name: 'pictures-worker',
      entry: PICTURES_WORKER,
      env: { ...shared, PORT: String(workerPort) },
      url: url(workerPort),
    });
  }
  // The mail worker sends to devstack's SMTP catcher unless SMTP_URL names another server.
  const smtpUrl = process.env.SMTP_URL ?? backing.MAILCATCHER_SMTP_URL;
  if (withMailWorker) {
    subgraphs.push({
      name: 'notifications-worker',
      entry: NOTIFICATIONS_WORKER,
      env: {
        ...shared,
        PUBLIC_URL: process.env.PUBLIC_URL ?? url(config.PORT_BASE),
        ...(smtpUrl && { SMTP_URL: smtpUrl }),
      },
    });
  }
  return {
    subgraphs,
    gateway: { name: 'gateway', entry: 'gateway/src/main.ts', env: gatewayEnv, url: url(config.PORT_BASE) },
    mailViewer: withMailWorker && !process.env.SMTP_URL ? backing.MAILCATCHER_URL : undefined,
  };
}

const COLORS = [36, 33, 35, 32, 34, 91, 92, 93, 94, 95, 96];

function start(spec: Spec, index: number, width: number): Running {
  // In this script's process group, so whatever stops the group (a terminal's Ctrl-C, a
  // supervisor) reaches every child too, even if this script is gone.
  const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
    cwd: REPO,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = spec.name.padEnd(width);
  const prefix = process.stdout.isTTY ? `\x1b[${COLORS[index % COLORS.length]}m${label} |\x1b[0m ` : `${label} | `;
  createInterface({ input: child.stdout! }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`${prefix}${line}\n`));
  const exited = new Promise<number | string | null>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal)),
  );
  return { ...spec, child, exited, startedAt: Date.now() };
}

async function waitReady(service: Running, timeoutMs: number): Promise<void> {
  if (!service.url) return;
  let exited = false;
  void service.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${service.name} exited while starting`);
    const ok = await fetch(`${service.url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${service.name} not ready at ${service.url}/readyz after ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function stop(service: Running): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), STOP_GRACE_MS);
  await service.exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const began = Date.now();
  const config = readConfig();
  const { subgraphs, gateway, mailViewer } = plan(config, backingEnv());
  const width = Math.max(...[...subgraphs, gateway].map((s) => s.name.length));
  const running: Running[] = [];
  let stopping = false;

  // The gateway stops first, so no request reaches a subgraph that is going away.
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const gatewayFirst = [...running].reverse();
    await Promise.all(gatewayFirst.filter((p) => p.name === 'gateway').map(stop));
    await Promise.all(gatewayFirst.map(stop));
    process.exit(exitCode);
  };
  let up = false;
  const backoff = new Map<string, number>();
  /**
   * While starting, a dying process stops everything (a broken configuration should not loop);
   * once up, it is restarted with backoff and the others keep serving.
   */
  const watch = (p: Running) =>
    void p.exited.then((code) => {
      if (stopping) return;
      if (!up) {
        process.stderr.write(`${p.name} exited (code ${code}): stopping everything\n`);
        void stopAll(1);
        return;
      }
      const ranMs = Date.now() - p.startedAt;
      const delay = ranMs >= STABLE_AFTER_MS ? RESTART_MIN_MS : (backoff.get(p.name) ?? RESTART_MIN_MS);
      backoff.set(p.name, Math.min(delay * 2, RESTART_MAX_MS));
      process.stderr.write(
        `${p.name} exited (code ${code}) after ${(ranMs / 1000).toFixed(1)} s: restarting in ${delay} ms\n`,
      );
      setTimeout(() => {
        if (stopping) return;
        const index = running.indexOf(p);
        const again = start(p, index, width);
        running[index] = again;
        watch(again);
        void waitReady(again, config.READY_TIMEOUT_MS).then(
          () => process.stdout.write(`${p.name} restarted (pid ${again.child.pid})\n`),
          () => undefined, // an exit while starting is seen (and restarted) by watch
        );
      }, delay);
    });
  // `on`, not `once`: Ctrl-C under npm and tsx may deliver SIGINT twice.
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  // Last resort if this script dies some other way: no process is left behind.
  process.once('exit', () => running.forEach((p) => p.child.exitCode === null && p.child.kill('SIGKILL')));

  try {
    running.push(...subgraphs.map((spec, i) => start(spec, i, width)));
    running.forEach(watch);
    await Promise.all(running.map((p) => waitReady(p, config.READY_TIMEOUT_MS)));
    const gatewayProcess = start(gateway, running.length, width);
    running.push(gatewayProcess);
    watch(gatewayProcess);
    await waitReady(gatewayProcess, config.READY_TIMEOUT_MS);
    up = true;
  } catch (error) {
    if (stopping) return;
    process.stderr.write(`${(error as Error).message}: stopping everything\n`);
    await stopAll(1);
    return;
  }
  const lines = [
    `Agora is up in ${((Date.now() - began) / 1000).toFixed(1)} s (distributed mode: ${running.length} processes)`,
    `  web app          ${gateway.url}/`,
    `  GraphQL          ${gateway.url}/graphql  (HTTP; WebSocket and SSE on the same path)`,
    ...subgraphs.map(
      (s) =>
        `  ${s.name.padEnd(16)} ${!s.url ? `pid ${running.find((p) => p.name === s.name)!.child.pid}` : s.entry === PICTURES_WORKER ? `${s.url}/metrics` : `${s.url}/graphql`}`,
    ),
    ...(mailViewer ? [`  ${'e-mail'.padEnd(16)} ${mailViewer}/  (devstack's SMTP catcher: what was sent)`] : []),
    'Ctrl-C stops every process.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`start:distributed: ${(error as Error).message}\n`);
  process.exit(1);
});
