import { requireViewer } from '@agora/kit/viewer';
import type { Context } from '../context';
import { otherUser, type Relation } from '../domain/relations';
import type { ProfileRecord } from '../store/profiles';
import type { Resolvers } from '../__generated__/resolvers-types';
import { requireRegisteredProfile } from './loaders';

/** Checks the caller and the other user exist (either may have just registered), then changes the relation. */
const relate =
  (relation: Relation) =>
  async (_parent: unknown, { userId }: { userId: string }, ctx: Context): Promise<ProfileRecord> => {
    const viewer = requireViewer(ctx.viewer);
    const targetId = otherUser(relation, viewer.id, userId);
    await Promise.all([requireRegisteredProfile(ctx, viewer.id), requireRegisteredProfile(ctx, targetId)]);
    return ctx.relations[relation](viewer.id, targetId);
  };

export const relationResolvers: Resolvers<Context> = {
  Mutation: {
    follow: relate('follow'),
    unfollow: relate('unfollow'),
    block: relate('block'),
    unblock: relate('unblock'),
  },
};
