/**
 * The cache port: JSON values with a time to live. Values come back as JSON would
 * bring them (a Date becomes a string), in every adapter.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}
