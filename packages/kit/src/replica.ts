import { sleep } from './time';

/**
 * Read-your-writes across services. A service that knows another's entities only through
 * events (a replica) may be asked about one a moment before its event arrives; this waits,
 * bounded, for `load` to find it, and then gives up with null.
 */
export async function eventually<T>(
  load: () => Promise<T | null | undefined>,
  { timeoutMs = 3_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await load();
    if (value !== null && value !== undefined) return value;
    if (Date.now() >= deadline) return null;
    await sleep(intervalMs);
  }
}
