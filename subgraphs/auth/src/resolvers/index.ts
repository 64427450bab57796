import { DateTimeScalar } from '@agora/kit/scalars';
import { unauthenticated } from '@agora/kit/errors';
import type { Resolvers } from '../__generated__/resolvers-types';

/** Thin: every rule lives in Accounts, ApiKeys and the domain. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    apiKeys: (_parent, _args, ctx) => ctx.apiKeys.list(ctx.viewer),
  },
  Mutation: {
    register: (_parent, { input }, ctx) => ctx.accounts.register(input, ctx.clientAddress ?? 'unknown'),
    login: (_parent, { input }, ctx) => ctx.accounts.login(input, ctx.clientAddress ?? 'unknown'),
    refreshSession: (_parent, { refreshToken }, ctx) => ctx.accounts.refresh(refreshToken),
    logout: (_parent, { refreshToken }, ctx) => ctx.accounts.logout(refreshToken),
    createApiKey: (_parent, { input }, ctx) => ctx.apiKeys.create(ctx.viewer, input),
    revokeApiKey: (_parent, { id }, ctx) => ctx.apiKeys.revoke(ctx.viewer, id),
    verifyEmail: async (_parent, { token }, ctx) => {
      await ctx.verifications.verify(token);
      return true;
    },
    requestEmailVerification: (_parent, _args, ctx) => {
      if (!ctx.viewer) throw unauthenticated('Sign in to ask for a verification e-mail');
      return ctx.verifications.resend(ctx.viewer.id);
    },
  },
};
