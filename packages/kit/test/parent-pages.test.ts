import { randomUUID } from 'node:crypto';
import { Loaders } from '../src/loaders';
import { encodeCursor, type Cursor } from '../src/pagination';
import { parentPages } from '../src/parent-pages';

interface Row {
  id: string;
  parent: string;
  at: string;
}

/** Rows of three parents, newest first; `fetch` records each call it gets. */
function world() {
  const parents = [randomUUID(), randomUUID(), randomUUID()];
  const rows: Row[] = [];
  for (let i = 0; i < 12; i++) {
    rows.push({
      id: randomUUID(),
      parent: parents[i % 3]!,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, 12 - i)).toISOString(),
    });
  }
  const calls: { parentIds: string[]; limit: number; cursor: Cursor | undefined }[] = [];
  const pages = parentPages<Row>(new Loaders(), 'rows', {
    fetch: async (parentIds, limit, cursor) => {
      calls.push({ parentIds, limit, cursor });
      return parentIds.flatMap((p) =>
        rows.filter((r) => r.parent === p && (!cursor || r.at < cursor.at)).slice(0, limit),
      );
    },
    parentOf: (row) => row.parent,
    cursorOf: (row) => ({ at: row.at, id: row.id }),
  });
  return { parents, rows, calls, pages };
}

describe('parentPages', () => {
  it('loads the pages of every parent asked for in one tick with one fetch', async () => {
    const { parents, rows, calls, pages } = world();
    const [a, b, c] = await Promise.all(parents.map((p) => pages(p, { first: 3 })));
    expect(calls).toEqual([{ parentIds: parents, limit: 4, cursor: undefined }]);
    expect(a!.edges.map((e) => e.node)).toEqual(rows.filter((r) => r.parent === parents[0]).slice(0, 3));
    expect(a!.pageInfo.hasNextPage).toBe(true);
    expect(b!.edges).toHaveLength(3);
    expect(c!.edges).toHaveLength(3);
  });

  it('fetches once per distinct first/after, and pages on from a cursor', async () => {
    const { parents, calls, pages } = world();
    const first = await pages(parents[0]!, { first: 3 });
    const [next, small] = await Promise.all([
      pages(parents[0]!, { first: 3, after: first.pageInfo.endCursor }),
      pages(parents[1]!, { first: 1 }),
    ]);
    expect(calls).toHaveLength(3);
    expect(next.edges).toHaveLength(1);
    expect(next.pageInfo.hasNextPage).toBe(false);
    expect(small.edges).toHaveLength(1);
  });

  it('refuses a bad first or cursor before fetching, and gives an empty page to an id that is not a uuid', async () => {
    const { calls, pages } = world();
    expect(() => pages(randomUUID(), { first: 0 })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
    const forged = encodeCursor({ at: 'not a date', id: randomUUID() });
    expect(() => pages(randomUUID(), { after: forged })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ field: 'after' }) }),
    );
    expect(await pages('not-a-uuid', { first: 5 })).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
    expect(calls).toEqual([]);
  });
});
