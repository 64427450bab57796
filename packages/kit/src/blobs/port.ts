import type { Readable } from 'node:stream';

/** What a store knows about one blob. */
export interface BlobInfo {
  key: string;
  size: number;
}

/**
 * The blob store port: opaque bytes by key (the filesystem in embedded mode; an
 * S3-compatible store can implement the same contract). A put is atomic: readers see the
 * old bytes or the new ones, never a partial write. Keys are `/`-separated segments of
 * `[A-Za-z0-9._-]` not starting with a dot (see `assertBlobKey`), so no key can escape the store.
 */
export interface BlobStore {
  /** Stores the bytes (a buffer or a stream) under `key`, replacing any previous blob. */
  put(key: string, data: Buffer | Readable): Promise<BlobInfo>;
  /** The whole blob, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** The blob as a stream, or null when there is none. */
  stream(key: string): Promise<Readable | null>;
  stat(key: string): Promise<BlobInfo | null>;
  exists(key: string): Promise<boolean>;
  /** Removes the blob; false when there was none. */
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}

/** No leading dot: that rules out `.` and `..`, and leaves dot-names to adapters (temp files). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

/** Refuses keys that are empty, too long, absolute, with empty or dot-led segments, or other characters. */
export function assertBlobKey(key: string): void {
  const valid = key.length > 0 && key.length <= MAX_KEY_LENGTH && key.split('/').every((s) => SEGMENT.test(s));
  if (!valid) throw new Error(`Invalid blob key: ${JSON.stringify(key.slice(0, 80))}`);
}
