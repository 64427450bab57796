import type { Resolvers } from '../__generated__/resolvers-types';

/** Thin: every rule lives in Accounts and the domain. */
export const resolvers: Resolvers = {
  Mutation: {
    register: (_parent, { input }, ctx) => ctx.accounts.register(input),
    login: (_parent, { input }, ctx) => ctx.accounts.login(input, ctx.clientAddress ?? 'unknown'),
    refreshSession: (_parent, { refreshToken }, ctx) => ctx.accounts.refresh(refreshToken),
    logout: (_parent, { refreshToken }, ctx) => ctx.accounts.logout(refreshToken),
  },
};
