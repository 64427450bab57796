import { GraphQLError } from 'graphql';
import { badInput, notFound } from '@agora/kit/errors';
import { pageSize, type Connection } from '@agora/kit/pagination';
import { requireViewer } from '@agora/kit/viewer';
import type { Context } from '../context';
import { profileChanges } from '../domain/profile';
import type { FollowEdge } from '../store/relations';
import type { Resolvers } from '../__generated__/resolvers-types';
import { findProfile, profileByHandle, registeredProfile, viewerBlocks, viewerFollows } from './loaders';

/** A followers/following page as GraphQL's UserConnection (the edge carries followedAt). */
const userConnection = async (list: Promise<Connection<FollowEdge>>) => {
  const { edges, pageInfo } = await list;
  return {
    pageInfo,
    edges: edges.map(({ cursor, node }) => ({ cursor, node: node.profile, followedAt: node.followedAt })),
  };
};

/**
 * The account exists (another subgraph holds its id) but its profile has not arrived: the
 * user.registered event is late (an event-log outage). Retryable; the profile comes once the
 * event does.
 */
function profilePending(): never {
  throw new GraphQLError("This user's profile is not available yet; try again shortly", {
    extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
  });
}

export const userResolvers: Resolvers<Context> = {
  Query: {
    me: (_parent, _args, ctx) => (ctx.viewer ? registeredProfile(ctx, ctx.viewer.id) : null),
    user: (_parent, { id, handle }, ctx) => {
      if ((id ? 1 : 0) + (handle ? 1 : 0) !== 1) throw badInput('Give exactly one of id and handle');
      return id ? findProfile(ctx, id) : profileByHandle(ctx).load(handle!.trim().toLowerCase());
    },
  },
  Mutation: {
    updateProfile: async (_parent, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const changes = profileChanges(input);
      if (!(await registeredProfile(ctx, viewer.id))) throw notFound('Your profile does not exist yet');
      const updated = await ctx.profiles.update(viewer.id, changes);
      if (!updated) throw notFound('Your profile does not exist yet');
      return updated;
    },
  },
  User: {
    // Another subgraph names this user (auth's AuthPayload.user right after register): a
    // profile still missing after the bounded wait is an honest error, not a silent null.
    __resolveReference: async (ref, ctx) => (await registeredProfile(ctx, ref.id)) ?? profilePending(),
    followers: (user, { first, after }, ctx) =>
      userConnection(ctx.relations.followers(user.id, pageSize(first), after)),
    following: (user, { first, after }, ctx) =>
      userConnection(ctx.relations.following(user.id, pageSize(first), after)),
    viewerIsFollowing: (user, _args, ctx) => (ctx.viewer ? viewerFollows(ctx, ctx.viewer.id).load(user.id) : false),
    viewerHasBlocked: (user, _args, ctx) => (ctx.viewer ? viewerBlocks(ctx, ctx.viewer.id).load(user.id) : false),
  },
};
