import type { apiCallRecorded, EventData } from '@agora/contracts/events';
import { bucketOf } from './histogram';
import { bucketStart } from './intervals';

export type ApiCallData = EventData<typeof apiCallRecorded>;
export type ApiCallOutcome = ApiCallData['outcome'];

/** One API call as stored (collection `api_calls`), keyed by the gateway's record id. */
export interface ApiCallRecord extends Omit<ApiCallData, 'at'> {
  _id: string;
  at: Date;
  /** The minute it started in: the rollup it counts in. */
  minute: Date;
  /** Its latency bucket (see histogram.ts). */
  k: number;
  /** Counted as a call in rollups: requests and subscription starts, not subscription ends. */
  counted: boolean;
}

export function callFromEvent(data: ApiCallData): ApiCallRecord {
  const at = new Date(data.at);
  return {
    ...data,
    _id: data.id,
    at,
    minute: bucketStart(at, 'MINUTE'),
    k: bucketOf(data.durationMs),
    counted: data.phase !== 'SUBSCRIPTION_END',
  };
}

/** Who may read whose calls: admins everyone's, a user their own. */
export const mayReadCallsOf = (viewer: { id: string; roles: string[] }, userId: string) =>
  viewer.id === userId || viewer.roles.includes('admin');

/** A User as analytics knows it: by id (the users subgraph owns the rest). */
export interface UserRef {
  id: string;
}
