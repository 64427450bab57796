import { DateTimeScalar } from '@agora/kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { panelResolvers } from './panels';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...panelResolvers,
};
