import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aggregator, Query } from 'mingo';
import {
  checkPipeline,
  type Document,
  type DocumentStore,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Stage,
} from './port';

/** One line of a collection's file: an insert, a put (insert or replace by _id) or a delete. */
type LogLine = ['i' | 'p', Document] | ['d', Filter];

interface Collection {
  docs: Map<string, Document>;
  /** Lines in its file: compacted when far more than the documents it holds. */
  lines: number;
}

/**
 * The embedded document store: collections in memory, queried and aggregated by mingo (an
 * implementation of MongoDB's query language and pipelines), optionally persisted as one
 * append-only JSON-lines log per collection (Dates kept as Dates), compacted when mostly
 * dead. Indexes are not needed for correctness here and are not kept; TTL is not applied.
 */
export class MemoryDocumentStore implements DocumentStore {
  private readonly collections = new Map<string, Collection>();
  private nextKey = 0;

  constructor(private readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  insert(collection: string, docs: Document[]): Promise<void> {
    const c = this.collection(collection);
    for (const doc of docs) c.docs.set(this.keyOf(doc), clone(doc));
    this.append(
      collection,
      docs.map((doc) => ['i', doc]),
    );
    return Promise.resolve();
  }

  insertNew<T extends { _id: string }>(collection: string, docs: readonly T[]): Promise<number> {
    const c = this.collection(collection);
    const fresh = docs.filter(
      (doc, i) => !c.docs.has(this.keyOf(doc)) && docs.findIndex((d) => d._id === doc._id) === i,
    );
    for (const doc of fresh) c.docs.set(this.keyOf(doc), clone(doc) as Document);
    this.append(
      collection,
      fresh.map((doc) => ['p', doc as Document]),
    );
    return Promise.resolve(fresh.length);
  }

  put<T extends { _id: string }>(collection: string, docs: readonly T[]): Promise<void> {
    const c = this.collection(collection);
    for (const doc of docs) c.docs.set(this.keyOf(doc), clone(doc));
    this.append(
      collection,
      docs.map((doc) => ['p', doc]),
    );
    return Promise.resolve();
  }

  find(collection: string, filter: Filter, options: FindOptions = {}): Promise<Document[]> {
    if (options.limit === 0) return Promise.resolve([]);
    let cursor = new Query(filter as Record<string, unknown>).find<Document>(this.values(collection));
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return Promise.resolve(cursor.all().map((doc) => clone(doc)));
  }

  count(collection: string, filter: Filter): Promise<number> {
    const query = new Query(filter as Record<string, unknown>);
    return Promise.resolve(this.values(collection).filter((doc) => query.test(doc)).length);
  }

  delete(collection: string, filter: Filter): Promise<number> {
    const deleted = this.remove(this.collection(collection), filter);
    if (deleted > 0) this.append(collection, [['d', filter]]);
    return Promise.resolve(deleted);
  }

  /**
   * Runs a pipeline with mingo, except `$unwind` and `$group` (one `$sum`), which a plain loop
   * does: mingo's general `$group` costs about 20× as much (measured on rollup cells), and
   * these two stages are simple enough to be exact by hand. The contract suite holds both paths
   * to MongoDB's answers.
   */
  async aggregate(collection: string, pipeline: Stage[]): Promise<Document[]> {
    checkPipeline(pipeline);
    let rows: Document[] = this.values(collection);
    for (const stage of pipeline) {
      if ('$unwind' in stage) rows = unwind(rows, stage.$unwind.slice(1));
      else if ('$group' in stage) rows = group(rows, stage.$group);
      else rows = new Aggregator([stage as Record<string, unknown>]).run(rows);
    }
    return rows.map((row) => clone(row));
  }

  ensureIndexes(_collection: string, _indexes: IndexSpec[]): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private keyOf(doc: Document): string {
    return typeof doc._id === 'string' ? `id:${doc._id}` : `auto:${this.nextKey++}`;
  }

  private values(collection: string): Document[] {
    return [...this.collection(collection).docs.values()];
  }

  private remove(c: Collection, filter: Filter): number {
    const query = new Query(filter as Record<string, unknown>);
    let deleted = 0;
    for (const [key, doc] of c.docs) {
      if (query.test(doc)) {
        c.docs.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }

  private file(collection: string): string {
    return join(this.dir!, `${collection}.jsonl`);
  }

  private append(collection: string, lines: LogLine[]): void {
    if (!this.dir || lines.length === 0) return;
    const c = this.collection(collection);
    appendFileSync(this.file(collection), lines.map(encodeLine).join(''));
    c.lines += lines.length;
    if (c.lines > 1_000 + 2 * c.docs.size) this.compact(collection, c);
  }

  /** Rewrites a collection's log as one put or insert per live document (atomically, by rename). */
  private compact(collection: string, c: Collection): void {
    const file = this.file(collection);
    const lines = [...c.docs.values()].map((doc): LogLine => [typeof doc._id === 'string' ? 'p' : 'i', doc]);
    writeFileSync(`${file}.tmp`, lines.map(encodeLine).join(''));
    renameSync(`${file}.tmp`, file);
    c.lines = lines.length;
  }

  private collection(name: string): Collection {
    let c = this.collections.get(name);
    if (!c) {
      c = { docs: new Map(), lines: 0 };
      this.collections.set(name, c);
      if (this.dir && existsSync(this.file(name))) {
        for (const text of readFileSync(this.file(name), 'utf8').split('\n')) {
          if (!text) continue;
          c.lines += 1;
          const line = JSON.parse(text, revive) as LogLine | Document;
          // A bare document is a line written before the log had operations: an insert.
          const [op, value] = Array.isArray(line) ? line : (['i', line] as LogLine);
          if (op === 'd') this.remove(c, value);
          else c.docs.set(this.keyOf(value), value);
        }
      }
    }
    return c;
  }
}

/** A value at a dotted path (`a.b`), or undefined. */
function valueAt(doc: unknown, path: string): unknown {
  let value = doc;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** MongoDB's `$unwind: "$path"`: one row per element; rows without a non-empty array there are dropped. */
function unwind(rows: Document[], path: string): Document[] {
  const out: Document[] = [];
  const [head, ...rest] = path.split('.');
  for (const row of rows) {
    const array = valueAt(row, path);
    if (!Array.isArray(array)) continue;
    for (const element of array) {
      out.push(rest.length === 0 ? { ...row, [head!]: element } : withPath(row, path.split('.'), element));
    }
  }
  return out;
}

function withPath(row: Document, keys: string[], value: unknown): Document {
  const [key, ...rest] = keys;
  const inner = row[key!];
  return {
    ...row,
    [key!]: rest.length === 0 ? value : withPath((inner ?? {}) as Document, rest, value),
  };
}

/** MongoDB's `$group` with one `$sum` (of 1, or of a field: numbers only, as MongoDB sums). */
function group(rows: Document[], spec: Record<string, unknown>): Document[] {
  const { _id: key, ...outputs } = spec;
  const [output, accumulator] = Object.entries(outputs)[0] as [string, { $sum: 1 | string }];
  const keyOf = (row: Document): unknown => {
    if (key === null) return null;
    if (typeof key === 'string') return valueAt(row, key.slice(1)) ?? null;
    const value: Record<string, unknown> = {};
    for (const [name, path] of Object.entries(key as Record<string, string>)) {
      const field = valueAt(row, path.slice(1));
      if (field !== undefined) value[name] = field;
    }
    return value;
  };
  const groups = new Map<string, { id: unknown; sum: number }>();
  for (const row of rows) {
    const id = keyOf(row);
    // Dates hash by type and time, so a Date and its ISO string stay apart.
    const hash = JSON.stringify(id, function (this: Record<string, unknown>, k: string, v: unknown) {
      const raw = this[k];
      return raw instanceof Date ? { $date: raw.getTime() } : v;
    });
    let entry = groups.get(hash);
    if (!entry) groups.set(hash, (entry = { id, sum: 0 }));
    const add = accumulator.$sum === 1 ? 1 : valueAt(row, accumulator.$sum.slice(1));
    if (typeof add === 'number') entry.sum += add;
  }
  return [...groups.values()].map(({ id, sum }) => ({ _id: id, [output]: sum }));
}

/**
 * A deep copy of a document (plain objects, arrays, Dates, primitives). Not structuredClone:
 * its Dates come from the host realm, which `instanceof Date` misses under jest's VM.
 */
function clone<T>(value: T): T {
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') {
    return new Date((value as Date).getTime()) as T;
  }
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) copy[key] = clone(field);
    return copy as T;
  }
  return value;
}

const DATE_TAG = '$date';

function encodeLine(line: LogLine): string {
  return (
    JSON.stringify(line, function (this: Record<string, unknown>, key: string, value: unknown) {
      // `value` is already Date.toJSON's string; the holder still has the Date.
      const raw = this[key];
      return raw instanceof Date ? { [DATE_TAG]: raw.toISOString() } : value;
    }) + '\n'
  );
}

function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = value as Record<string, unknown>;
    const keys = Object.keys(tagged);
    if (keys.length === 1 && keys[0] === DATE_TAG && typeof tagged[DATE_TAG] === 'string') {
      return new Date(tagged[DATE_TAG]);
    }
  }
  return value;
}
