import type { DataSource } from 'typeorm';
import type { Infra } from './infra';

/**
 * One dependency of a process as /readyz reports it. `required`: the process cannot serve
 * without it, so readiness goes red when it is down; an optional one (a cache, a broker the
 * process degrades without) is reported but never turns readiness red.
 */
export interface HealthCheck {
  name: string;
  required: boolean;
  /** Resolves when the dependency answers; throws (or times out) when it does not. */
  check(): Promise<void>;
}

export interface DependencyReport {
  status: 'up' | 'down';
  required: boolean;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not ready';
  checks: Record<string, DependencyReport>;
}

/** Ports whose adapter can say whether its server answers (the in-process ones cannot fail). */
export interface Checkable {
  /** Resolves when the server answers; throws otherwise. Fast: no waiting for a reconnect. */
  health(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 1_000;

export async function runChecks(checks: HealthCheck[], stopping = false): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async (c): Promise<[string, DependencyReport]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [c.name, { status: 'up', required: c.required }];
      } catch (error) {
        return [c.name, { status: 'down', required: c.required, error: (error as Error).message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checksReport = Object.fromEntries(entries);
  const ok = !stopping && entries.every(([, r]) => r.status === 'up' || !r.required);
  if (stopping) checksReport.process = { status: 'down', required: true, error: 'shutting down' };
  return { status: ok ? 'ready' : 'not ready', checks: checksReport };
}

const isCheckable = (port: unknown): port is Checkable =>
  typeof (port as Partial<Checkable> | undefined)?.health === 'function';

/** Infra ports a service may declare it cannot serve without. */
export type InfraPort = Exclude<keyof Infra, 'close'>;

/**
 * The dependencies among a process's ports (the real adapters: Redis, Kafka, RabbitMQ,
 * MongoDB): optional unless listed in `required`.
 */
export function infraChecks(infra: Partial<Omit<Infra, 'close'>>, required: readonly InfraPort[] = []): HealthCheck[] {
  const names: Record<string, string> = {
    cache: 'cache',
    events: 'event log',
    jobs: 'job queue',
    notices: 'notices',
    documents: 'documents',
  };
  return Object.entries(infra)
    .filter(([, port]) => isCheckable(port))
    .map(([key, port]) => ({
      name: names[key] ?? key,
      required: required.includes(key as InfraPort),
      check: () => (port as unknown as Checkable).health(),
    }));
}

/** A service's checks: its own database (required) when it has one, and its ports. */
export function serviceChecks(
  db: DataSource | undefined,
  infra: Partial<Omit<Infra, 'close'>>,
  required: readonly InfraPort[] = [],
): HealthCheck[] {
  return [
    ...(db ? [{ name: 'database', required: true, check: () => db.query('SELECT 1').then(() => undefined) }] : []),
    ...infraChecks(infra, required),
  ];
}
