import { badInput } from './errors';
import { isUuid } from './ids';
import type { Loaders } from './loaders';
import { decodeCursor, pageSize, toConnection, type Connection, type Cursor, type PageArgs } from './pagination';

/** A decoded `after` that is safe to put in SQL: a real date and a uuid (else BAD_USER_INPUT). */
export function keysetCursor(after: string | null | undefined): Cursor | undefined {
  const cursor = decodeCursor(after);
  if (cursor && (!isUuid(cursor.id) || Number.isNaN(Date.parse(cursor.at)))) {
    throw badInput('after is not a valid cursor', 'after');
  }
  return cursor;
}

/**
 * Loads, in one call, up to `limit` rows per parent (newest first, after `cursor` when
 * given) for every parent id: one SQL query, typically a `row_number() over (partition by
 * parent …)` window. Parent ids are UUIDs.
 */
export type FetchChildren<T> = (parentIds: string[], limit: number, cursor: Cursor | undefined) => Promise<T[]>;

export interface ParentPagesOptions<T> {
  fetch: FetchChildren<T>;
  parentOf: (row: T) => string;
  cursorOf: (row: T) => Cursor;
}

/**
 * A per-request loader of one page of children for many parents (a panel's posts, a
 * post's comments): the pages asked for in the same tick with the same `first` and
 * `after` cost one `fetch`, however many parents there are. Bad `first`/`after` fail
 * the field at once with BAD_USER_INPUT.
 */
export function parentPages<T>(loaders: Loaders, name: string, options: ParentPagesOptions<T>) {
  const loader = loaders.get<string, Connection<T>>(name, async (keys) => {
    const requests = keys.map((key) => JSON.parse(key) as [parentId: string, size: number, after: string | null]);
    const groups = new Map<string, Promise<Map<string, T[]>>>();
    const childrenOf = (size: number, after: string | null): Promise<Map<string, T[]>> => {
      const groupKey = JSON.stringify([size, after]);
      let group = groups.get(groupKey);
      if (!group) {
        const parents = new Set(
          requests.filter((r) => r[1] === size && r[2] === after && isUuid(r[0])).map((r) => r[0]),
        );
        group = (
          parents.size > 0 ? options.fetch([...parents], size + 1, keysetCursor(after)) : Promise.resolve([])
        ).then((rows) => groupBy(rows, options.parentOf));
        groups.set(groupKey, group);
      }
      return group;
    };
    return Promise.all(
      requests.map(async ([parentId, size, after]) =>
        toConnection((await childrenOf(size, after)).get(parentId) ?? [], size, options.cursorOf),
      ),
    );
  });
  return (parentId: string, args: PageArgs): Promise<Connection<T>> => {
    const size = pageSize(args.first);
    keysetCursor(args.after); // validated here, so a bad cursor fails this field, not the whole batch
    return loader.load(JSON.stringify([parentId, size, args.after ?? null]));
  };
}

function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
