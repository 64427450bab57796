import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '@agora/kit/blobs/port';
import type { Route } from '@agora/kit/server';
import type { PictureStore } from '../store/pictures';
import { blobKey, parseMediaPath } from './paths';

/**
 * The bytes at a media URL never change (a picture's original is never replaced and its
 * thumbnail is made once), so caches may keep them without asking again; the hour bounds
 * how long a deleted picture can linger in shared caches. Past it, a revalidation costs a
 * 304 thanks to the strong ETag (the SHA-256 of the bytes).
 */
export const MEDIA_CACHE_CONTROL = 'public, max-age=3600, immutable';

/** User-supplied bytes: never sniffed into something else, never run as a document. */
const SAFETY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
};

/** GET/HEAD /media/pictures/<id>/original|thumbnail: the bytes, with type, ETag and caching. */
export function mediaRoute(store: PictureStore, blobs: BlobStore): Route {
  return async (req, res) => {
    const target = parseMediaPath((req.url ?? '/').split('?')[0] ?? '/');
    if (!target) return sendStatus(res, 404, 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendStatus(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    }
    const picture = await store.byId(target.pictureId);
    if (!picture) return sendStatus(res, 404, 'No such picture');

    let file: { hash: string; size: number; type: string };
    if (target.kind === 'original') {
      file = { hash: picture.sha256, size: picture.byteSize, type: picture.contentType };
    } else if (picture.status === 'PROCESSING') {
      return sendStatus(res, 409, 'The thumbnail is not ready yet', { 'retry-after': '1' });
    } else if (picture.status === 'FAILED' || !picture.thumbnailSha256 || picture.thumbnailByteSize === null) {
      return sendStatus(res, 404, 'This picture has no thumbnail');
    } else {
      file = { hash: picture.thumbnailSha256, size: picture.thumbnailByteSize, type: 'image/webp' };
    }

    const etag = `"${file.hash}"`;
    const headers = { etag, 'cache-control': MEDIA_CACHE_CONTROL, ...SAFETY_HEADERS };
    if (matchesEtag(req, etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    const key = blobKey(picture.id, target.kind);
    // Deleted between the row read and here: the blob is gone too.
    const body = req.method === 'HEAD' ? await blobs.exists(key) : await blobs.stream(key);
    if (!body) return sendStatus(res, 404, 'No such picture');
    res.writeHead(200, { ...headers, 'content-type': file.type, 'content-length': file.size });
    if (body === true) {
      res.end();
      return;
    }
    await pipeline(body, res).catch((error: unknown) => {
      // A client that goes away mid-download is not an error of ours.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    });
  };
}

/** If-None-Match with weak comparison (RFC 9110 §13.1.2): any listed tag, or `*`. */
function matchesEtag(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim();
    return value === '*' || value.replace(/^W\//, '') === etag;
  });
}

function sendStatus(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(message),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(message);
}
