import { badInput, forbidden } from '@agora/kit/errors';
import { isUuid } from '@agora/kit/ids';
import { byKeys } from '@agora/kit/loaders';
import { decodeCursor, pageSize, toConnection } from '@agora/kit/pagination';
import { requireViewer } from '@agora/kit/viewer';
import type { Context } from '../context';
import type { NotificationRecord } from '../store/notifications';
import type { Resolvers } from '../__generated__/resolvers-types';

/** At most this many ids per markNotificationsRead. */
export const MARK_MAX_IDS = 100;

/** The viewer's own fields on User: `me` only; anyone else's are FORBIDDEN. */
export function requireSelf(ctx: Context, userId: string): string {
  const viewer = requireViewer(ctx.viewer);
  if (viewer.id !== userId) throw forbidden('Only your own notifications can be read');
  return viewer.id;
}

/** The viewer's own notifications by id, batched per request; others' are null. */
const ownNotification = (ctx: Context) =>
  ctx.loaders.get<string, NotificationRecord | null>('ownNotification', async (ids) => {
    const viewer = ctx.viewer;
    const valid = ids.filter(isUuid);
    const rows = viewer && valid.length > 0 ? await ctx.notifications.byIds(valid, viewer.id) : [];
    return byKeys(ids, rows, (n) => n.id);
  });

const ref = (id: string | null) => (id ? { id } : null);

export const notificationResolvers = {
  Query: {
    notification: (_parent, { id }, ctx) => ownNotification(ctx).load(id),
  },
  Mutation: {
    markNotificationsRead: (_parent, { ids }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      if (ids.length > MARK_MAX_IDS) throw badInput(`At most ${MARK_MAX_IDS} ids at once`, 'ids');
      const bad = ids.find((id) => !isUuid(id));
      if (bad !== undefined) throw badInput(`"${bad.slice(0, 40)}" is not a notification id`, 'ids');
      return ctx.notifications.markRead(viewer.id, [...new Set(ids)]);
    },
    markAllNotificationsRead: (_parent, _args, ctx) => ctx.notifications.markAllRead(requireViewer(ctx.viewer).id),
  },
  User: {
    __resolveReference: (user) => ({ id: user.id }),
    notifications: async (user, { first, after, unreadOnly }, ctx) => {
      const viewerId = requireSelf(ctx, user.id);
      const size = pageSize(first);
      const rows = await ctx.notifications.page(viewerId, size + 1, decodeCursor(after), unreadOnly ?? false);
      return toConnection(rows, size, (n) => ({ at: new Date(n.createdAt).toISOString(), id: n.id }));
    },
    unreadNotificationCount: (user, _args, ctx) => ctx.notifications.unreadCount(requireSelf(ctx, user.id)),
  },
  Notification: {
    __resolveReference: (notification, ctx) => ownNotification(ctx).load(notification.id),
    read: (n) => n.readAt !== null,
    actor: (n) => ref(n.actorId),
    comment: (n) => ref(n.commentId),
    post: (n) => ref(n.postId),
    picture: (n) => ref(n.pictureId),
  },
} satisfies Resolvers;
