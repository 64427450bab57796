import { DateTimeScalar } from '@agora/kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { commentResolvers } from './comments';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...commentResolvers,
};
