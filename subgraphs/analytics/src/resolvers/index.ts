import type { Resolvers } from '../__generated__/resolvers-types';
import { statusOf } from '../domain/status';

export const resolvers: Resolvers = {
  Query: {
    analyticsStatus: () => statusOf('analytics'),
  },
};
