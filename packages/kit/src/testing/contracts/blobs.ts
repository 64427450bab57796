import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore } from '../../blobs/port';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream that yields some bytes, then fails, as an upload cut mid-way. */
function brokenStream(): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from('partial bytes');
      await Promise.resolve();
      throw new Error('connection reset');
    })(),
  );
}

/** The behaviour every BlobStore adapter must have; run once per adapter. */
export function blobStoreContract(adapter: string, open: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${adapter}`, () => {
    let blobs: BlobStore;
    let ns: string;
    beforeEach(async () => {
      blobs = await open();
      ns = `contract/${randomUUID()}`;
    });
    afterEach(() => blobs.close());

    it('stores a buffer and gives back the same bytes, as a buffer or a stream', async () => {
      const bytes = randomBytes(10_000);
      expect(await blobs.put(`${ns}/a.bin`, bytes)).toEqual({ key: `${ns}/a.bin`, size: 10_000 });
      expect((await blobs.get(`${ns}/a.bin`))?.equals(bytes)).toBe(true);
      const stream = await blobs.stream(`${ns}/a.bin`);
      expect((await readAll(stream!)).equals(bytes)).toBe(true);
      expect(await blobs.stat(`${ns}/a.bin`)).toEqual({ key: `${ns}/a.bin`, size: 10_000 });
      expect(await blobs.exists(`${ns}/a.bin`)).toBe(true);
    });

    it('stores a stream, a large one included', async () => {
      const parts = Array.from({ length: 40 }, () => randomBytes(128 * 1024));
      await blobs.put(`${ns}/big`, Readable.from(parts));
      expect((await blobs.get(`${ns}/big`))?.equals(Buffer.concat(parts))).toBe(true);
      expect((await blobs.stat(`${ns}/big`))?.size).toBe(40 * 128 * 1024);
    });

    it('stores an empty blob', async () => {
      await blobs.put(`${ns}/empty`, Buffer.alloc(0));
      expect(await blobs.get(`${ns}/empty`)).toEqual(Buffer.alloc(0));
      expect(await blobs.exists(`${ns}/empty`)).toBe(true);
    });

    it('replaces a blob on a second put', async () => {
      await blobs.put(`${ns}/k`, Buffer.from('first version'));
      await blobs.put(`${ns}/k`, Buffer.from('second'));
      expect((await blobs.get(`${ns}/k`))?.toString()).toBe('second');
      expect((await blobs.stat(`${ns}/k`))?.size).toBe(6);
    });

    it('answers null / false for a blob that does not exist', async () => {
      await blobs.put(`${ns}/dir/file`, Buffer.from('x'));
      for (const key of [`${ns}/none`, `${ns}/dir`, `${ns}/dir/file/below`]) {
        expect(await blobs.get(key)).toBeNull();
        expect(await blobs.stream(key)).toBeNull();
        expect(await blobs.stat(key)).toBeNull();
        expect(await blobs.exists(key)).toBe(false);
        expect(await blobs.delete(key)).toBe(false);
      }
    });

    it('deletes a blob, and only that blob', async () => {
      await blobs.put(`${ns}/p/original`, Buffer.from('o'));
      await blobs.put(`${ns}/p/thumbnail`, Buffer.from('t'));
      expect(await blobs.delete(`${ns}/p/original`)).toBe(true);
      expect(await blobs.get(`${ns}/p/original`)).toBeNull();
      expect(await blobs.exists(`${ns}/p/original`)).toBe(false);
      expect((await blobs.get(`${ns}/p/thumbnail`))?.toString()).toBe('t');
      expect(await blobs.delete(`${ns}/p/thumbnail`)).toBe(true);
      // A new blob can go where deleted ones were.
      await blobs.put(`${ns}/p/original`, Buffer.from('again'));
      expect((await blobs.get(`${ns}/p/original`))?.toString()).toBe('again');
    });

    it('keeps the previous bytes when a streamed put fails mid-way', async () => {
      await blobs.put(`${ns}/kept`, Buffer.from('previous'));
      await expect(blobs.put(`${ns}/kept`, brokenStream())).rejects.toThrow('connection reset');
      expect((await blobs.get(`${ns}/kept`))?.toString()).toBe('previous');
      await expect(blobs.put(`${ns}/never`, brokenStream())).rejects.toThrow('connection reset');
      expect(await blobs.exists(`${ns}/never`)).toBe(false);
    });

    it('gives concurrent puts of one key a whole winner, never a mix', async () => {
      const a = Buffer.alloc(256 * 1024, 'a');
      const b = Buffer.alloc(256 * 1024, 'b');
      await Promise.all([blobs.put(`${ns}/race`, a), blobs.put(`${ns}/race`, b)]);
      const got = await blobs.get(`${ns}/race`);
      expect(got?.equals(a) || got?.equals(b)).toBe(true);
    });

    it('refuses keys that could escape the store or are malformed', async () => {
      const bad = ['', '/abs', '../up', `${ns}/../x`, `${ns}/./x`, `${ns}//x`, `${ns}/`, 'a\\b', '.hidden', 'a b', 'é'];
      for (const key of [...bad, 'x'.repeat(513)]) {
        await expect(blobs.put(key, Buffer.from('x'))).rejects.toThrow(/Invalid blob key/);
        await expect(blobs.get(key)).rejects.toThrow(/Invalid blob key/);
        await expect(blobs.stream(key)).rejects.toThrow(/Invalid blob key/);
        await expect(blobs.stat(key)).rejects.toThrow(/Invalid blob key/);
        await expect(blobs.exists(key)).rejects.toThrow(/Invalid blob key/);
        await expect(blobs.delete(key)).rejects.toThrow(/Invalid blob key/);
      }
    });
  });
}
