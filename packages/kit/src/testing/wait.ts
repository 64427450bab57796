/** Helpers for tests and contract suites (never imported by production code). */

import { sleep } from '../time';

export { sleep };

/**
 * How long a hook may take to start a whole stack (every subgraph's database, the gateway,
 * a few argon2 registrations). Seconds on an idle machine; minutes when the 2 cores are shared.
 */
export const STACK_START_TIMEOUT_MS = 300_000;

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The extensions (code, field…) of the API error `fn` throws; fails if it throws none. */
export function refusal(fn: () => unknown): { code?: string; field?: string } | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string; field?: string } }).extensions;
  }
  throw new Error('expected an error');
}
