import type { EventEnvelope } from '@agora/contracts/events';

/**
 * What the response cache may keep, and what makes it stale. Everything not listed here is
 * never cached: a field added by a subgraph (or a whole new subgraph) makes the responses
 * that select it uncacheable until someone decides here which events change it.
 *
 * - `public`: the value is the same for every caller, and every change to it is announced by
 *   an event of the catalogue that `touches` (below) maps to the entity holding it.
 * - `viewer`: the same, but the value also depends on who asks (blocks hide authors, `viewer…`
 *   fields, `me`). For a signed-in caller the response is kept in that viewer's own scope,
 *   never shared; for an anonymous caller it is public (anonymous callers block no one).
 */
export type FieldPolicy = 'public' | 'viewer';

const publicFields = (...names: string[]): Record<string, FieldPolicy> =>
  Object.fromEntries(names.map((name) => [name, 'public' as const]));
const viewerFields = (...names: string[]): Record<string, FieldPolicy> =>
  Object.fromEntries(names.map((name) => [name, 'viewer' as const]));

/** Entity types (keyed by `id`): a cached response is tagged with every one it holds. */
export const ENTITY_TYPES = new Set(['Panel', 'Post', 'Comment', 'User', 'Picture']);

export const FIELD_POLICY: Record<string, Record<string, FieldPolicy>> = {
  Query: { ...publicFields('panels', 'panel', 'user'), ...viewerFields('post', 'comment', 'me') },
  Panel: {
    ...publicFields('id', 'slug', 'name', 'description', 'createdAt', 'createdBy'),
    // The panel's posts, and their count, leave out authors the viewer blocked.
    ...viewerFields('posts', 'postCount'),
  },
  Post: {
    ...publicFields('id', 'panel', 'author', 'title', 'body', 'tags', 'createdAt', 'updatedAt'),
    // Comments, and their count, leave out authors the viewer blocked.
    ...viewerFields('comments', 'commentCount'),
  },
  Comment: {
    ...publicFields('id', 'post', 'author', 'body', 'createdAt', 'updatedAt'),
    ...viewerFields('parent'),
  },
  // displayName and bio are left out: updateProfile announces no event yet.
  User: {
    ...publicFields('id', 'handle', 'createdAt', 'followerCount', 'followingCount', 'followers', 'following'),
    ...viewerFields('posts', 'viewerIsFollowing', 'viewerHasBlocked'),
  },
  PanelConnection: publicFields('edges', 'pageInfo'),
  PanelEdge: publicFields('cursor', 'node'),
  PostConnection: publicFields('edges', 'pageInfo'),
  PostEdge: publicFields('cursor', 'node'),
  CommentConnection: publicFields('edges', 'pageInfo'),
  CommentEdge: publicFields('cursor', 'node'),
  UserConnection: publicFields('edges', 'pageInfo'),
  UserEdge: publicFields('cursor', 'node', 'followedAt'),
  PageInfo: publicFields('hasNextPage', 'endCursor'),
};

/**
 * Root query fields: the entity they load, and the argument naming it. A response is also
 * tagged with that entity (so a `null` answer is dropped when the entity appears), or with
 * `Type:?` when no id names it (lists, lookups by slug or handle).
 */
export const ROOT_FIELDS: Record<string, { entity: string; idArg?: string } | null> = {
  panels: { entity: 'Panel' },
  panel: { entity: 'Panel', idArg: 'id' },
  post: { entity: 'Post', idArg: 'id' },
  comment: { entity: 'Comment', idArg: 'id' },
  user: { entity: 'User', idArg: 'id' },
  // The viewer's own User: tagged by its id in the response; anonymous callers get null.
  me: null,
};

/** A tag: `Type:id` (that entity), `Type:?` (some entity of the type, or a list of them), `viewer:id`. */
export const entityTag = (type: string, id: string) => `${type}:${id}`;
export const anyOfType = (type: string) => `${type}:?`;
export const viewerTag = (viewerId: string) => `viewer:${viewerId}`;

/** What an event changes, as tags to drop; `cooldown` when other services apply it later. */
export interface Invalidation {
  tags: string[];
  /**
   * The event also feeds copies kept by other subgraphs (the comments service's posts, the
   * forum's and comments' blocks), which apply it on their own time: responses with these
   * tags are not stored for a short while, so an answer read from a copy not yet updated
   * cannot be kept.
   */
  cooldown: boolean;
}

type Ref = [type: string, id: unknown];

/** The entities an event of the catalogue changes (by topic and type), from its data. */
function touches(topic: string, type: string, data: Record<string, unknown>): { refs: Ref[]; viewers: unknown[] } {
  switch (topic) {
    case 'auth.users':
      // The account's own `me` changes too.
      return { refs: [['User', data.userId]], viewers: [data.userId] };
    case 'users.relations': {
      const refs: Ref[] = [
        ['User', data.actorId],
        ['User', data.targetId],
      ];
      // A block changes what the blocker sees everywhere: drop that viewer's whole scope.
      const blocks = type === 'user.blocked' || type === 'user.unblocked';
      return { refs, viewers: blocks ? [data.actorId] : [] };
    }
    case 'forum.panels':
      return { refs: [['Panel', data.id]], viewers: [] };
    case 'forum.posts':
      return {
        refs: [
          ['Post', data.id],
          ['Panel', data.panelId],
          ['User', data.authorId],
        ],
        viewers: [],
      };
    case 'comments.comments':
      return {
        refs: [
          ['Comment', data.id],
          ['Post', data.postId],
        ],
        viewers: [],
      };
    case 'pictures.pictures':
      return {
        refs: [
          ['Picture', data.id],
          ['User', data.ownerId],
        ],
        viewers: [],
      };
    default:
      return { refs: [], viewers: [] };
  }
}

/** Topics whose events the cache reads. */
export const INVALIDATING_TOPICS = [
  'auth.users',
  'users.relations',
  'forum.panels',
  'forum.posts',
  'comments.comments',
  'pictures.pictures',
];

/** Events applied by other services to copies they keep (see Invalidation.cooldown). */
const FEEDS_COPIES = new Set(['post.deleted', 'user.blocked', 'user.unblocked', 'user.registered']);

/** The tags an event invalidates: every entity it touches, by id and by type. */
export function invalidationOf(topic: string, event: EventEnvelope): Invalidation {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const { refs, viewers } = touches(topic, event.type, data);
  const tags = new Set<string>();
  for (const [type, id] of refs) {
    if (typeof id !== 'string' || id === '') continue;
    tags.add(entityTag(type, id));
    tags.add(anyOfType(type));
  }
  for (const viewer of viewers) if (typeof viewer === 'string') tags.add(viewerTag(viewer));
  return { tags: [...tags], cooldown: FEEDS_COPIES.has(event.type) };
}
