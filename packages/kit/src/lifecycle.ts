import { rootLogger } from './log';

type Stop = () => Promise<void>;
const stops: Stop[] = [];
let installed = false;

/**
 * Registers a stop hook run on SIGTERM/SIGINT, newest first (the gateway stops before
 * the subgraphs it calls, a server before the pools it uses). Exits once all are done
 * or after a grace period.
 */
export function onShutdown(stop: Stop): void {
  stops.unshift(stop);
  if (installed) return;
  installed = true;
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    const log = rootLogger();
    // A SIGINT from the terminal and a SIGTERM from a supervisor often come together: the
    // second must not cut the first's graceful stop short (the timer below still bounds it).
    if (shuttingDown) return log.info({ signal }, 'already shutting down');
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown timed out, exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    for (const fn of stops.splice(0)) {
      try {
        await fn();
      } catch (error) {
        log.error({ err: error }, 'error during shutdown');
      }
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
