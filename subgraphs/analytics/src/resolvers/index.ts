import { badInput, forbidden } from '@agora/kit/errors';
import { DateTimeScalar } from '@agora/kit/scalars';
import { isAdmin, requireViewer, type Viewer } from '@agora/kit/viewer';
import type { Resolvers } from '../__generated__/resolvers-types';
import { mayReadCallsOf } from '../domain/calls';
import { parseBucketId, usageRange } from '../domain/intervals';
import { UsageReport } from '../domain/report';

/** Usage is for admins: UNAUTHENTICATED without a viewer, FORBIDDEN for others. */
function requireAdmin(viewer: Viewer | null): Viewer {
  const who = requireViewer(viewer);
  if (!isAdmin(who)) throw forbidden('API usage is only for admins');
  return who;
}

/** Ranked lists are bounded like pages. */
function listSize(first: number | null | undefined): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > 100) throw badInput('first must be between 1 and 100', 'first');
  return size;
}

const date = (value: string | null | undefined) => (value ? new Date(value) : null);

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    apiUsage: (_, args, { viewer, rollups }) => {
      requireAdmin(viewer);
      const range = usageRange({ from: date(args.from), to: date(args.to), interval: args.interval }, new Date());
      return new UsageReport(rollups, range);
    },
    apiUsageBucket: (_, { id }, { viewer, rollups }) => {
      requireAdmin(viewer);
      return new UsageReport(rollups, parseBucketId(id));
    },
    recentApiCalls: (_, args, { viewer, calls }) => {
      requireAdmin(viewer);
      return calls.page(args);
    },
  },
  ApiUsage: {
    from: (report) => report.range.from,
    to: (report) => report.range.to,
    interval: (report) => report.range.interval,
    totalCalls: async (report) => (await report.summary()).totalCalls,
    errorCount: async (report) => (await report.summary()).errorCount,
    errorRate: async (report) => (await report.summary()).errorRate,
    p50Ms: async (report) => (await report.summary()).p50Ms,
    p95Ms: async (report) => (await report.summary()).p95Ms,
    p99Ms: async (report) => (await report.summary()).p99Ms,
    timeseries: async (report) => (await report.summary()).timeseries,
    byOperation: (report, { first }) => report.operations(listSize(first)) as never,
    byClient: (report, { first }) => report.clients(listSize(first)) as never,
  },
  ApiCall: {
    id: (call) => call._id,
    user: (call) => (call.userId ? { id: call.userId } : null),
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    recentApiCalls: (user, args, { viewer, calls }) => {
      const who = requireViewer(viewer);
      if (!mayReadCallsOf(who, user.id)) throw forbidden("Only the user and admins may read a user's API calls");
      return calls.page({ ...args, userId: user.id });
    },
  },
};
