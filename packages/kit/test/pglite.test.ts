import { pglitePlace, sqlContract } from '../src/testing';

sqlContract('pglite', (options) => pglitePlace(options));

describe('PGlite extensions', () => {
  it.each([false, true])('creates and uses pg_trgm (on disk: %s)', async (reopenable) => {
    const place = pglitePlace({ reopenable });
    try {
      const db = await place.open([]);
      await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      const [row] = (await db.query(
        `SELECT similarity('kubernetes', 'kubernetis') AS s, 'helo' % 'hello' AS close`,
      )) as {
        s: number;
        close: boolean;
      }[];
      expect(row!.s).toBeGreaterThan(0.5);
      expect(row!.close).toBe(true);
    } finally {
      await place.drop();
    }
  });
});
