import { requireViewer } from '@agora/kit/viewer';
import { channelsOf, CONFIGURABLE_KINDS } from '../domain/kinds';
import type { Resolvers } from '../__generated__/resolvers-types';
import { requireSelf } from './notifications';

export const settingsResolvers = {
  Mutation: {
    updateNotificationSettings: (_parent, { input }, ctx) =>
      ctx.settings.update(requireViewer(ctx.viewer).id, { kinds: input.kinds, dailyDigest: input.dailyDigest }),
    unsubscribe: async (_parent, { token }, ctx) => {
      const { userId, kind } = await ctx.tokens.verify(token);
      await ctx.settings.update(userId, { kinds: [{ kind, email: false }] });
      ctx.log.info({ kind }, 'unsubscribed by link');
      return kind;
    },
  },
  User: {
    notificationSettings: (user, _args, ctx) => ctx.settings.read(requireSelf(ctx, user.id)),
  },
  NotificationSettings: {
    kinds: (settings) => CONFIGURABLE_KINDS.map((kind) => ({ kind, ...channelsOf(settings.kinds, kind) })),
    dailyDigest: (settings) => settings.dailyDigest,
    emailStatus: async (settings, _args, ctx) => {
      const address = await ctx.replicas.address(settings.userId);
      if (!address) return 'UNKNOWN';
      if (address.suppressed) return 'SUPPRESSED';
      return address.verified ? 'VERIFIED' : 'UNVERIFIED';
    },
  },
} satisfies Resolvers;
