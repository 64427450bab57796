import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, type BlobInfo, type BlobStore } from './port';

/**
 * Blobs as files under one root folder (embedded mode, or a volume shared by the replicas).
 * A put writes a hidden temp file next to the target, flushes it and renames it over the
 * target, so a reader or a crash never sees half a blob. Deleting a blob also removes the
 * folders it leaves empty.
 */
export class FsBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, data: Buffer | Readable): Promise<BlobInfo> {
    const path = this.path(key);
    const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
    try {
      await this.writeNew(temp, data);
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return { key, size: (await stat(path)).size };
  }

  async get(key: string): Promise<Buffer | null> {
    return readFile(this.path(key)).catch(absentAsNull);
  }

  async stream(key: string): Promise<Readable | null> {
    const handle = await open(this.path(key), 'r').catch(absentAsNull);
    if (!handle) return null;
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return null;
    }
    return handle.createReadStream();
  }

  async stat(key: string): Promise<BlobInfo | null> {
    const found = await stat(this.path(key)).catch(absentAsNull);
    return found?.isFile() ? { key, size: found.size } : null;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<boolean> {
    const path = this.path(key);
    const removed = await unlink(path).then(
      () => true,
      (error: unknown) => absentAsNull(error) ?? false,
    );
    if (removed) await this.removeEmptyFolders(dirname(path));
    return removed;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private path(key: string): string {
    assertBlobKey(key);
    return join(this.root, ...key.split('/'));
  }

  /** Writes and flushes a new file; retries once if a concurrent delete removed its folder meanwhile. */
  private async writeNew(temp: string, data: Buffer | Readable, retry = true): Promise<void> {
    await mkdir(dirname(temp), { recursive: true });
    try {
      if (Buffer.isBuffer(data)) await writeFile(temp, data, { flag: 'wx', flush: true });
      else await pipeline(data, createWriteStream(temp, { flags: 'wx', flush: true }));
    } catch (error) {
      if (retry && Buffer.isBuffer(data) && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        return this.writeNew(temp, data, false);
      }
      throw error;
    }
  }

  private async removeEmptyFolders(folder: string): Promise<void> {
    for (let dir = folder; dir.startsWith(this.root + sep); dir = dirname(dir)) {
      const removed = await rmdir(dir).then(
        () => true,
        () => false, // not empty (or already gone): stop here
      );
      if (!removed) return;
    }
  }
}

/** "No such blob" errors become null: a missing file, or a key naming a folder or under a file. */
function absentAsNull(error: unknown): null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
  throw error;
}
