import { DateTimeScalar } from '@agora/kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { pictureResolvers } from './pictures';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...pictureResolvers,
};
