import { indexText, vocabularyOf } from './text';

/**
 * What the index is made of. Bump INDEX_VERSION when the way documents are indexed changes
 * (text, weights, tables): the service then says the index is stale until `npm run
 * search:rebuild` has built one with the new code.
 */
export const INDEX_VERSION = 1;

/** The text search configuration: stemming and stop words of English. */
export const TS_CONFIG = 'english';

export type SearchType = 'POST' | 'COMMENT' | 'PICTURE' | 'USER';
export const SEARCH_TYPES: readonly SearchType[] = ['POST', 'COMMENT', 'PICTURE', 'USER'];

/** A searchable thing as the index keeps it, built only from events. */
export interface IndexDocument {
  id: string;
  type: SearchType;
  /** Whose content it is: a searcher who blocked them never sees it (a user is their own author). */
  authorId: string;
  /** A comment's post: hidden with it. */
  postId: string | null;
  /** Title (posts, pictures) or name (people): weight A. Stored as `indexText`. */
  title: string;
  /** Body (posts, comments) or bio (people): weight C. Stored as `indexText`. */
  body: string;
  /** Lower-cased: weight B, and the tag filter. */
  tags: string[];
  /** Pictures: only READY ones are shown. */
  status: string | null;
  deleted: boolean;
  createdAt: string;
  /** Orders the writes of one entity: an older state never replaces a newer one. */
  updatedAt: string;
}

const normalizeTags = (tags: readonly string[]) =>
  [...new Set(tags.map((t) => t.trim().toLowerCase().replace(/\s+/g, ' ')).filter(Boolean))].sort();

export function postDocument(
  post: {
    id: string;
    authorId: string;
    title: string;
    body: string;
    tags: string[];
    createdAt: string;
    updatedAt: string;
  },
  deleted = false,
): IndexDocument {
  return {
    id: post.id,
    type: 'POST',
    authorId: post.authorId,
    postId: null,
    title: indexText(post.title),
    body: indexText(post.body),
    tags: normalizeTags(post.tags),
    status: null,
    deleted,
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
  };
}

export function commentDocument(
  comment: { id: string; postId: string; authorId: string; body: string; createdAt: string; updatedAt: string },
  deleted = false,
): IndexDocument {
  return {
    id: comment.id,
    type: 'COMMENT',
    authorId: comment.authorId,
    postId: comment.postId,
    title: '',
    body: indexText(comment.body),
    tags: [],
    status: null,
    deleted,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
  };
}

/** Picture events carry no update time: the event's own time orders them. */
export function pictureDocument(
  picture: { id: string; ownerId: string; title: string; tags: string[]; status: string; createdAt: string },
  occurredAt: string,
  deleted = false,
): IndexDocument {
  return {
    id: picture.id,
    type: 'PICTURE',
    authorId: picture.ownerId,
    postId: null,
    title: indexText(picture.title),
    body: '',
    tags: normalizeTags(picture.tags),
    status: picture.status,
    deleted,
    createdAt: picture.createdAt,
    updatedAt: occurredAt,
  };
}

/** A person: found by display name and handle (the title) and bio (the body). */
export function userDocument(user: {
  userId: string;
  handle: string;
  displayName: string;
  bio: string;
  createdAt: string;
  updatedAt: string;
}): IndexDocument {
  return {
    id: user.userId,
    type: 'USER',
    authorId: user.userId,
    postId: null,
    title: indexText(`${user.displayName} @${user.handle}`),
    body: indexText(user.bio),
    tags: [],
    status: null,
    deleted: false,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** Whether a searcher may find it (blocks aside): not deleted, READY if a picture, its post alive if a comment. */
export function isVisible(doc: Pick<IndexDocument, 'type' | 'deleted' | 'status'>, postDeleted: boolean): boolean {
  if (doc.deleted) return false;
  if (doc.type === 'PICTURE') return doc.status === 'READY';
  if (doc.type === 'COMMENT') return !postDeleted;
  return true;
}

/** What a visible document adds to the typo vocabulary and to the tag counts. */
export function contributionOf(doc: Pick<IndexDocument, 'title' | 'tags'> | null): { words: string[]; tags: string[] } {
  if (!doc) return { words: [], tags: [] };
  return { words: vocabularyOf(doc.title, ...doc.tags), tags: [...doc.tags] };
}

/** +1 / -1 per key going from `before` to `after` (both sets), sorted by key. */
export function countChanges(
  before: readonly string[],
  after: readonly string[],
): { keys: string[]; deltas: number[] } {
  const delta = new Map<string, number>();
  for (const key of before) delta.set(key, (delta.get(key) ?? 0) - 1);
  for (const key of after) delta.set(key, (delta.get(key) ?? 0) + 1);
  const changed = [...delta].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { keys: changed.map(([k]) => k), deltas: changed.map(([, d]) => d) };
}
