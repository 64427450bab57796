import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../paths';
import { waitFor } from './wait';

/** The servers' env vars, unset so a spawned process keeps its ports in process. */
export const BACKING_ENV = ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'KAFKA_BROKERS', 'MONGO_URL'] as const;

/** A process started with tsx from the repository root, its JSON log lines collected. */
export interface Spawned {
  child: ChildProcess;
  /** Every line it printed (stdout and stderr). */
  lines: string[];
  /** Its log lines that parse as JSON (pino). */
  logs(): Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a log line with this `msg` and returns it. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Runs `entry` (a path from the repository root) as its own Node process with tsx, with
 * this process's env (less jest's settings and, unless given, the backing servers) plus
 * `env`, logging at info level.
 */
export function spawnTsx(entry: string, env: NodeJS.ProcessEnv = {}, options: { keepBacking?: boolean } = {}): Spawned {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
  delete base.NODE_OPTIONS;
  delete base.NODE_ENV;
  if (!options.keepBacking) for (const key of BACKING_ENV) delete base[key];
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => lines.push(line));
  }
  // 'close', not 'exit': by then its output has been read to the end, so logs() holds its last lines.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('close', (code, signal) => done({ code, signal })),
  );
  const logs = () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    lines,
    logs,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForLog: async (msg, timeoutMs = 60_000) =>
      (await waitFor(
        `"${msg}" from ${entry}`,
        () => {
          if (gone) throw new Error(`${entry} exited before "${msg}":\n${lines.slice(-30).join('\n')}`);
          return logs().find((l) => l.msg === msg);
        },
        timeoutMs,
      ))!,
  };
}
