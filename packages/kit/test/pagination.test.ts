import { decodeCursor, encodeCursor, pageSize, toConnection } from '../src/pagination';

describe('pagination', () => {
  it('bounds first to 1..100 with BAD_USER_INPUT', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, -1, 101, 1000, 1.5]) {
      expect(() => pageSize(bad)).toThrow(
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } }),
      );
    }
  });

  it('round-trips cursors and rejects forged ones', () => {
    const cursor = { at: '2026-01-01T00:00:00.000Z', id: 'abc' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor(null)).toBeUndefined();
    for (const bad of [
      'nope',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }),
      );
    }
  });

  it('uses the extra row only to tell that a next page exists', () => {
    const rows = [1, 2, 3].map((n) => ({ id: String(n), at: `2026-01-0${n}T00:00:00.000Z` }));
    const page = toConnection(rows, 2, (r) => r);
    expect(page.edges.map((e) => e.node.id)).toEqual(['1', '2']);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[1]!.cursor });
    expect(toConnection(rows.slice(0, 2), 2, (r) => r).pageInfo.hasNextPage).toBe(false);
    expect(toConnection([], 2, (r: { id: string; at: string }) => r).pageInfo).toEqual({
      hasNextPage: false,
      endCursor: null,
    });
  });
});
