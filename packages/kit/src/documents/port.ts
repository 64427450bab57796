export type Scalar = string | number | boolean | Date | null;
export type Document = Record<string, unknown>;

/** A field either equals a value or satisfies range / membership operators. */
export type FieldFilter =
  Scalar | { $gt?: Scalar; $gte?: Scalar; $lt?: Scalar; $lte?: Scalar; $in?: Scalar[]; $ne?: Scalar };

/** Fields (dotted paths reach into sub-documents) that must all hold; `$or`: one of several filters. */
export interface Filter {
  [field: string]: FieldFilter | Filter[] | undefined;
  $or?: Filter[];
}

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  skip?: number;
  limit?: number;
}

/** `$field` or `$field.sub`: a value taken from the document, as in MongoDB's pipelines. */
export type FieldPath = `$${string}`;
/** What `$group` groups by: one value for the whole input (null), one field, or several by name. */
export type GroupKey = null | FieldPath | Record<string, FieldPath>;
export interface SumAccumulator {
  $sum: 1 | FieldPath;
}

/**
 * An aggregation pipeline stage: the MongoDB stages the port supports, with MongoDB's own
 * syntax, run by the database (MongoDB / FerretDB) or by the embedded engine. `checkPipeline`
 * holds both to the same subset (see there).
 */
export type Stage =
  | { $match: Filter }
  | { $unwind: FieldPath }
  | { $group: { _id: GroupKey; [output: string]: GroupKey | SumAccumulator } }
  | { $sort: Record<string, 1 | -1> }
  | { $skip: number }
  | { $limit: number }
  | { $count: string };

export interface IndexSpec {
  key: Record<string, 1 | -1>;
  /**
   * A TTL index: the server deletes a document this long after the Date in its (single) key
   * field. Best effort: servers without TTL indexes (FerretDB 1.x, the embedded store) keep
   * the plain index and delete nothing, so a retention must also be swept with `delete`.
   */
  expireAfterSeconds?: number;
}

/**
 * The document store port (MongoDB in distributed mode): the subset of MongoDB that Agora
 * uses, with the same answers from every adapter (the contract suite checks it).
 *
 * `_id`: documents written with `put` carry the caller's string `_id` and `find` returns it;
 * ids a server generates for `insert` are never returned.
 */
export interface DocumentStore {
  insert(collection: string, docs: Document[]): Promise<void>;
  /**
   * Inserts the documents whose `_id` (a string) is not stored yet and leaves the others as
   * they are; answers how many were inserted. Appending idempotently, cheaper than `put`.
   */
  insertNew<T extends { _id: string }>(collection: string, docs: readonly T[]): Promise<number>;
  /** Inserts, or replaces whole, each document by its `_id` (a string): repeating a put changes nothing. */
  put<T extends { _id: string }>(collection: string, docs: readonly T[]): Promise<void>;
  find(collection: string, filter: Filter, options?: FindOptions): Promise<Document[]>;
  count(collection: string, filter: Filter): Promise<number>;
  /** Deletes every matching document; answers how many. */
  delete(collection: string, filter: Filter): Promise<number>;
  /** Runs a pipeline (see `Stage` and `checkPipeline`) where the data is. */
  aggregate(collection: string, pipeline: Stage[]): Promise<Document[]>;
  /** Creates indexes that are missing (by key); existing ones are left as they are. */
  ensureIndexes(collection: string, indexes: IndexSpec[]): Promise<void>;
  close(): Promise<void>;
}

const STAGES = new Set(['$match', '$unwind', '$group', '$sort', '$skip', '$limit', '$count']);

const isFieldPath = (value: unknown): value is FieldPath =>
  typeof value === 'string' && value.startsWith('$') && value.length > 1;

/**
 * Holds a pipeline to the subset every adapter answers identically, and throws (the same
 * error from every adapter) on anything else. The subset is what FerretDB 1.x computes
 * correctly, so the devstack's server and real MongoDB agree:
 * - stages `$match` (a port Filter), `$unwind` (a field path), `$group`, `$sort`, `$skip`,
 *   `$limit`, `$count`;
 * - `$group` has exactly one accumulator, `{ $sum: 1 }` or `{ $sum: "$field" }`, and groups by
 *   null, a field path or an object of field paths (FerretDB 1.x computes only the first
 *   accumulator of a `$group`: one pipeline per sum, or sum one unwound array);
 * - an `$unwind` is followed directly by a `$group` that reads only the unwound array's
 *   fields (FerretDB 1.x drops the document's other fields when it unwinds).
 */
export function checkPipeline(pipeline: Stage[]): void {
  const fail = (i: number, why: string) => {
    throw new Error(`Unsupported pipeline, stage ${i}: ${why}`);
  };
  pipeline.forEach((stage, i) => {
    const names = Object.keys(stage);
    const name = names[0];
    if (names.length !== 1 || !name || !STAGES.has(name)) {
      fail(i, `expected one of ${[...STAGES].join(' ')}, got ${names.join(' ') || 'nothing'}`);
    }
    if ('$unwind' in stage) {
      if (!isFieldPath(stage.$unwind)) fail(i, '$unwind takes a field path ("$field")');
      const next = pipeline[i + 1];
      if (!next || !('$group' in next)) fail(i, '$unwind must be followed by $group');
      const prefix = `${stage.$unwind}.`;
      const paths = groupPaths((next as { $group: Record<string, unknown> }).$group);
      for (const path of paths) {
        if (!path.startsWith(prefix)) fail(i + 1, `after $unwind, $group may read only ${prefix}* (not ${path})`);
      }
    }
    if ('$group' in stage) {
      const { _id: key, ...outputs } = stage.$group;
      const keyOk =
        key === null ||
        isFieldPath(key) ||
        (typeof key === 'object' && Object.values(key).length > 0 && Object.values(key).every(isFieldPath));
      if (!keyOk) fail(i, '$group _id must be null, "$field" or { name: "$field", ... }');
      const accumulators = Object.values(outputs);
      if (accumulators.length !== 1) fail(i, `$group takes exactly one accumulator, got ${accumulators.length}`);
      const sum = accumulators[0] as Partial<SumAccumulator> | null;
      const ok =
        sum !== null &&
        typeof sum === 'object' &&
        Object.keys(sum).length === 1 &&
        (sum.$sum === 1 || isFieldPath(sum.$sum));
      if (!ok) fail(i, 'the accumulator must be { $sum: 1 } or { $sum: "$field" }');
    }
    if ('$skip' in stage || '$limit' in stage) {
      const n = '$skip' in stage ? stage.$skip : (stage as { $limit: number }).$limit;
      if (!Number.isInteger(n) || n < ('$limit' in stage ? 1 : 0)) fail(i, `${name} takes a whole number`);
    }
  });
}

function groupPaths(group: Record<string, unknown>): string[] {
  const paths: string[] = [];
  const add = (value: unknown) => {
    if (isFieldPath(value)) paths.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(add);
  };
  Object.values(group).forEach(add);
  return paths;
}
