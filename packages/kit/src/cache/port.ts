/**
 * The cache port: JSON values with a time to live. Values come back as JSON would
 * bring them (a Date becomes a string), in every adapter.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /**
   * Adds 1 to a counter and returns the new value; the first increment starts a window of
   * `ttlMs` after which the counter is gone (fixed-window rate limits). Atomic across replicas.
   */
  increment(key: string, ttlMs: number): Promise<number>;
  close(): Promise<void>;
}
