/** Where a picture's files live in the blob store and on the web (gateway-relative). */
export type MediaKind = 'original' | 'thumbnail';

export const blobKey = (pictureId: string, kind: MediaKind) => `pictures/${pictureId}/${kind}`;

/** The gateway proxies /media/ to this subgraph, which serves the same paths itself. */
export const mediaPath = (pictureId: string, kind: MediaKind) => `/media/pictures/${pictureId}/${kind}`;

const MEDIA_PATH =
  /^\/media\/pictures\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/(original|thumbnail)$/;

export function parseMediaPath(path: string): { pictureId: string; kind: MediaKind } | null {
  const match = MEDIA_PATH.exec(path);
  return match ? { pictureId: match[1]!, kind: match[2] as MediaKind } : null;
}
