import { DateTimeScalar } from '@agora/kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { panelResolvers } from './panels';
import { postResolvers } from './posts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...panelResolvers,
  ...postResolvers,
  Query: { ...panelResolvers.Query, ...postResolvers.Query },
  Mutation: { ...panelResolvers.Mutation, ...postResolvers.Mutation },
};
