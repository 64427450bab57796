/**
 * The processes of `bench/gateway.ts` talk to it over IPC: each reports when it is ready
 * (with what it serves), and answers `usage` with its CPU time and RSS (and counters of its
 * own), so the benchmark measures every process separately. `stop` ends it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Usage {
  cpuMs: number;
  rssMb: number;
  counters: Record<string, number>;
}

export type ChildMessage =
  | { type: 'ready'; info: Record<string, unknown> }
  | ({ type: 'usage' } & Usage)
  | { type: 'event'; topic: string; event: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: string };

/** In a child: report readiness and answer the benchmark's requests. */
export function serveChild(info: Record<string, unknown>, counters: () => Record<string, number> = () => ({})): void {
  process.on('message', (message: { type: string }) => {
    if (message.type === 'usage') {
      const cpu = process.cpuUsage();
      process.send!({
        type: 'usage',
        cpuMs: (cpu.user + cpu.system) / 1000,
        rssMb: Math.round(process.memoryUsage().rss / 1e5) / 10,
        counters: counters(),
      } satisfies ChildMessage);
    }
    if (message.type === 'stop') process.exit(0);
  });
  // The benchmark gone (ended or killed): so is this process.
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', info } satisfies ChildMessage);
}

export function failChild(error: unknown): never {
  process.send?.({ type: 'failed', error: String((error as Error)?.stack ?? error) } satisfies ChildMessage);
  process.exit(1);
}

export interface Child {
  name: string;
  process: ChildProcess;
  info: Record<string, unknown>;
  usage(): Promise<Usage>;
  /** Sends `message` and resolves with the child's next `done` result. */
  ask<T>(message: unknown, timeoutMs: number): Promise<T>;
  send(message: unknown): void;
  on(type: ChildMessage['type'], listener: (message: ChildMessage) => void): void;
  stop(): Promise<void>;
}

/** Starts `bench/gateway/<file>` in a process of its own (tsx), resolving once it is ready. */
export function startChild(name: string, file: string, env: Record<string, string | undefined> = {}): Promise<Child> {
  const child = fork(join(__dirname, file), {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? [])],
    // An undefined value removes the variable (e.g. REDIS_URL for an in-process store).
    env: Object.fromEntries(
      Object.entries({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env }).filter(
        ([, value]) => value !== undefined,
      ),
    ),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: ((message: ChildMessage) => void)[] = [];
  child.on('message', (message: ChildMessage) => {
    for (const waiter of [...waiters]) waiter(message);
  });
  const next = <T extends ChildMessage['type']>(type: T, timeoutMs: number) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const waiter = (message: ChildMessage) => {
        if (message.type === 'failed') {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${name} failed: ${message.error}`));
        }
        if (message.type !== type) return;
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(waiter), 1);
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      waiters.push(waiter);
    });
  return next('ready', 180_000).then(({ info }) => ({
    name,
    process: child,
    info,
    usage: async () => {
      const reply = next('usage', 30_000);
      child.send({ type: 'usage' });
      const { cpuMs, rssMb, counters } = await reply;
      return { cpuMs, rssMb, counters };
    },
    ask: async <T>(message: unknown, timeoutMs: number) => {
      const reply = next('done', timeoutMs);
      child.send(message as never);
      return (await reply).result as T;
    },
    send: (message) => child.send(message as never),
    on: (type, listener) => {
      waiters.push((message) => {
        if (message.type === type) listener(message);
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  }));
}
