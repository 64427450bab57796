import { DateTimeScalar } from '@agora/kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { relationResolvers } from './relations';
import { userResolvers } from './users';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: userResolvers.Query,
  Mutation: { ...userResolvers.Mutation, ...relationResolvers.Mutation },
  User: userResolvers.User,
};
