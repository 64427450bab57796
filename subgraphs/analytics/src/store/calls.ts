import { badInput } from '@agora/kit/errors';
import type { DocumentStore, Filter } from '@agora/kit/documents/port';
import { decodeCursor, pageSize, toConnection, type Connection } from '@agora/kit/pagination';
import type { ApiCallOutcome, ApiCallRecord } from '../domain/calls';

export const CALLS = 'api_calls';

export interface CallQuery {
  first?: number | null;
  after?: string | null;
  operationName?: string | null;
  outcome?: ApiCallOutcome | null;
  /** Only this user's calls. */
  userId?: string;
}

/**
 * Raw API calls (collection `api_calls`), one document per gateway record, keyed by the
 * record's id so a redelivered event finds its call already stored. Kept `retentionDays`: a TTL
 * index where the server has them (MongoDB) and `sweep` everywhere.
 */
export class ApiCallStore {
  constructor(private readonly docs: DocumentStore) {}

  /** Indexes fitting the reads: newest first overall (and the TTL), per user, operation, outcome. */
  async ensureIndexes(retentionDays: number): Promise<void> {
    await this.docs.ensureIndexes(CALLS, [
      { key: { at: 1 }, expireAfterSeconds: retentionDays * 86_400 },
      { key: { userId: 1, at: -1 } },
      { key: { operationName: 1, at: -1 } },
      { key: { outcome: 1, at: -1 } },
    ]);
  }

  /** Stores calls not stored yet (a redelivered record is already there); answers how many were new. */
  save(calls: ApiCallRecord[]): Promise<number> {
    return this.docs.insertNew(CALLS, calls);
  }

  /** Newest first, keyset-paged on (at, id). */
  async page(query: CallQuery): Promise<Connection<ApiCallRecord>> {
    const size = pageSize(query.first);
    const filter: Filter = {};
    if (query.userId !== undefined) filter.userId = query.userId;
    if (query.operationName) filter.operationName = query.operationName;
    if (query.outcome) filter.outcome = query.outcome;
    const cursor = decodeCursor(query.after);
    if (cursor) {
      const at = new Date(cursor.at);
      if (Number.isNaN(at.getTime())) throw badInput('after is not a valid cursor', 'after');
      filter.$or = [{ at: { $lt: at } }, { at, _id: { $lt: cursor.id } }];
    }
    const rows = (await this.docs.find(CALLS, filter, {
      sort: { at: -1, _id: -1 },
      limit: size + 1,
    })) as unknown as ApiCallRecord[];
    return toConnection(rows, size, (row) => ({ at: row.at.toISOString(), id: row._id }));
  }

  /** Deletes calls older than `cutoff`; answers how many. */
  sweep(cutoff: Date): Promise<number> {
    return this.docs.delete(CALLS, { at: { $lt: cutoff } });
  }
}
