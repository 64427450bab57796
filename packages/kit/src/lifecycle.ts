import { rootLogger } from './log';

type Stop = () => Promise<void>;
const stops: Stop[] = [];
let installed = false;
let stopping = false;

/** How long a graceful stop may take before the process exits 1 anyway. */
export const SHUTDOWN_BOUND_MS = 10_000;

/** True once SIGTERM/SIGINT arrived: /readyz answers 503 so no new work is routed here. */
export function shuttingDown(): boolean {
  return stopping;
}

/**
 * Registers a stop hook run on SIGTERM/SIGINT, newest first (the gateway stops before
 * the subgraphs it calls, a server before the pools it uses). Exits 0 once all are done,
 * or 1 after SHUTDOWN_BOUND_MS. Apollo Server's own signal handling must be off
 * (`stopOnTerminationSignals: false`): it would stop the server and re-raise the signal,
 * killing the process (143) before these hooks ran.
 */
export function onShutdown(stop: Stop): void {
  stops.unshift(stop);
  if (installed) return;
  installed = true;
  const shutdown = async (signal: string) => {
    const log = rootLogger();
    // A SIGINT from the terminal and a SIGTERM from a supervisor often come together: the
    // second must not cut the first's graceful stop short (the timer below still bounds it).
    if (stopping) return log.info({ signal }, 'already shutting down');
    stopping = true;
    const began = Date.now();
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ boundMs: SHUTDOWN_BOUND_MS }, 'shutdown timed out, exiting');
      process.exit(1);
    }, SHUTDOWN_BOUND_MS);
    timer.unref();
    let failed = false;
    for (const fn of stops.splice(0)) {
      try {
        await fn();
      } catch (error) {
        failed = true;
        log.error({ err: error }, 'error during shutdown');
      }
    }
    log.info({ ms: Date.now() - began }, failed ? 'stopped, with errors' : 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
