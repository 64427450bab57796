import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document, DocumentStore, FieldFilter, Filter, FindOptions, Scalar } from './port';

/**
 * The embedded document store: collections in memory, optionally persisted as one
 * append-only JSON-lines file per collection (Dates are kept as Dates).
 */
export class MemoryDocumentStore implements DocumentStore {
  private readonly collections = new Map<string, Document[]>();

  constructor(private readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  insert(collection: string, docs: Document[]): Promise<void> {
    const rows = this.rows(collection);
    for (const doc of docs) rows.push(structuredClone(doc));
    if (this.dir && docs.length > 0) {
      appendFileSync(this.file(collection), docs.map((d) => JSON.stringify(encode(d)) + '\n').join(''));
    }
    return Promise.resolve();
  }

  find(collection: string, filter: Filter, options: FindOptions = {}): Promise<Document[]> {
    let rows = this.rows(collection).filter((doc) => matches(doc, filter));
    const sort = Object.entries(options.sort ?? {});
    if (sort.length > 0) {
      rows = [...rows].sort((a, b) => {
        for (const [field, dir] of sort) {
          const c = compare(a[field] as Scalar, b[field] as Scalar);
          if (c !== 0) return c * dir;
        }
        return 0;
      });
    }
    if (options.limit !== undefined) rows = rows.slice(0, options.limit);
    return Promise.resolve(rows.map((r) => structuredClone(r)));
  }

  count(collection: string, filter: Filter): Promise<number> {
    return Promise.resolve(this.rows(collection).filter((doc) => matches(doc, filter)).length);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private file(collection: string): string {
    return join(this.dir!, `${collection}.jsonl`);
  }

  private rows(collection: string): Document[] {
    let rows = this.collections.get(collection);
    if (!rows) {
      rows = [];
      if (this.dir && existsSync(this.file(collection))) {
        for (const line of readFileSync(this.file(collection), 'utf8').split('\n')) {
          if (line) rows.push(decode(JSON.parse(line) as Document));
        }
      }
      this.collections.set(collection, rows);
    }
    return rows;
  }
}

function compare(a: Scalar, b: Scalar): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (x === y) return 0;
  if (x === null || x === undefined) return -1;
  if (y === null || y === undefined) return 1;
  return x < y ? -1 : 1;
}

function matches(doc: Document, filter: Filter): boolean {
  return Object.entries(filter).every(([field, condition]) => matchField(doc[field] as Scalar, condition));
}

function matchField(value: Scalar, condition: FieldFilter): boolean {
  if (condition === null || typeof condition !== 'object' || condition instanceof Date) {
    return compare(value, condition) === 0 && (value === null) === (condition === null);
  }
  const c = condition;
  if (value === undefined) return false;
  return (
    (c.$gt === undefined || compare(value, c.$gt) > 0) &&
    (c.$gte === undefined || compare(value, c.$gte) >= 0) &&
    (c.$lt === undefined || compare(value, c.$lt) < 0) &&
    (c.$lte === undefined || compare(value, c.$lte) <= 0) &&
    (c.$in === undefined || c.$in.some((v) => compare(value, v) === 0))
  );
}

const DATE_TAG = '$date';

function encode(doc: Document): Document {
  return Object.fromEntries(
    Object.entries(doc).map(([k, v]) => [k, v instanceof Date ? { [DATE_TAG]: v.toISOString() } : v]),
  );
}

function decode(doc: Document): Document {
  return Object.fromEntries(
    Object.entries(doc).map(([k, v]) => {
      const tagged = v as Record<string, unknown> | null;
      return [
        k,
        tagged && typeof tagged === 'object' && typeof tagged[DATE_TAG] === 'string' ? new Date(tagged[DATE_TAG]) : v,
      ];
    }),
  );
}
