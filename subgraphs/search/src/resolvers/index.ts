import type { Resolvers } from '../__generated__/resolvers-types';
import { searchResolvers } from './search';

export const resolvers: Resolvers = {
  ...searchResolvers,
};
