import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { blobStoreContract } from '../src/testing';
import { FsBlobStore } from '../src/blobs/fs';

const tempRoot = () => mkdtempSync(join(tmpdir(), 'agora-blobs-'));
const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

blobStoreContract('filesystem', async () => new FsBlobStore(tempRoot()));

describe('FsBlobStore', () => {
  it('keeps blobs as files under its root, readable by a new instance', async () => {
    const root = tempRoot();
    await new FsBlobStore(root).put('pictures/p1/original', Buffer.from('bytes'));
    expect(filesUnder(root)).toEqual(['pictures', join('pictures', 'p1'), join('pictures', 'p1', 'original')]);
    expect((await new FsBlobStore(root).get('pictures/p1/original'))?.toString()).toBe('bytes');
  });

  it('leaves no temp file behind, whether a put succeeds or fails', async () => {
    const root = tempRoot();
    const blobs = new FsBlobStore(root);
    await blobs.put('a/ok', Readable.from([Buffer.from('fine')]));
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('half');
        await Promise.resolve();
        throw new Error('cut');
      })(),
    );
    await expect(blobs.put('a/failed', failing)).rejects.toThrow('cut');
    expect(filesUnder(root)).toEqual(['a', join('a', 'ok')]);
  });

  it('removes the folders a delete leaves empty, never the root', async () => {
    const root = tempRoot();
    const blobs = new FsBlobStore(root);
    await blobs.put('pictures/p1/original', Buffer.from('o'));
    await blobs.put('pictures/p2/original', Buffer.from('o'));
    await blobs.delete('pictures/p1/original');
    expect(filesUnder(root)).toEqual(['pictures', join('pictures', 'p2'), join('pictures', 'p2', 'original')]);
    await blobs.delete('pictures/p2/original');
    expect(filesUnder(root)).toEqual([]);
    expect(existsSync(root)).toBe(true);
  });

  it('touches nothing outside its root for a refused key', async () => {
    const parent = tempRoot();
    const blobs = new FsBlobStore(join(parent, 'store'));
    await expect(blobs.put('../escaped', Buffer.from('x'))).rejects.toThrow(/Invalid blob key/);
    expect(filesUnder(parent)).toEqual([]);
  });
});
