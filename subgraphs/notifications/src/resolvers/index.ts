import { DateTimeScalar } from '@agora/kit/scalars';
import type { Resolvers } from '../__generated__/resolvers-types';
import { notificationResolvers } from './notifications';
import { settingsResolvers } from './settings';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  ...notificationResolvers,
  ...settingsResolvers,
  Query: { ...notificationResolvers.Query },
  Mutation: { ...notificationResolvers.Mutation, ...settingsResolvers.Mutation },
  User: { ...notificationResolvers.User, ...settingsResolvers.User },
};
