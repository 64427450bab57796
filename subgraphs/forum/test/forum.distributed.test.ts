import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { blocksMigrations } from '@agora/kit/blocks';
import { RedisCache } from '@agora/kit/cache/redis';
import { openDatabase } from '@agora/kit/db/datasource';
import { MemoryEventLog } from '@agora/kit/events/memory';
import { createLogger } from '@agora/kit/log';
import { Outbox, outboxMigrations } from '@agora/kit/outbox';
import { describeWithService } from '@agora/kit/testing';
import { RecordCache } from '../src/store/cache';
import { migrations } from '../src/store/migrations';
import { PanelEntity, PanelStore, revivePanel, type PanelRecord } from '../src/store/panels';
import { PostEntity, PostStore, revivePost, type PostRecord } from '../src/store/posts';

/** The forum's stores as distributed mode runs them: PostgreSQL (a pool of 10) and the Redis cache. */
describeWithService(['DATABASE_URL', 'REDIS_URL'], 'forum stores on PostgreSQL and Redis', (url, redisUrl) => {
  const schema = `forum_test_${randomUUID().replaceAll('-', '')}`;
  const log = createLogger('forum-test');
  let db: DataSource;
  let cache: RedisCache;
  let panels: PanelStore;
  let posts: PostStore;

  beforeAll(async () => {
    db = await openDatabase({
      service: 'forum',
      schema,
      url,
      entities: [PanelEntity, PostEntity],
      migrations: [...outboxMigrations, ...blocksMigrations, ...migrations],
    });
    cache = new RedisCache(redisUrl, { keyPrefix: `${schema}:`, log });
    const outbox = new Outbox(db, new MemoryEventLog(), log);
    const cached = { cache, log, ttlMs: 60_000 };
    panels = new PanelStore(
      db,
      outbox,
      new RecordCache<PanelRecord>({ ...cached, prefix: 'panel:', revive: revivePanel }),
    );
    posts = new PostStore(
      db,
      outbox,
      new RecordCache<PostRecord>({ ...cached, prefix: 'post:', revive: revivePost }),
      panels,
    );
  });
  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db?.destroy();
    await cache?.close();
  });

  const allow = () => undefined;
  const postCount = async (panelId: string) => (await panels.byIds([panelId]))[0]!.postCount;

  it('keeps postCount exact under concurrent creates and deletes', async () => {
    const author = randomUUID();
    const panel = await panels.create({ name: 'Busy', slug: `busy-${randomUUID()}`, description: '' }, author);
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) => posts.create(panel.id, author, { title: `p${i}`, body: 'b', tags: [] })),
    );
    expect(await postCount(panel.id)).toBe(30);
    const victims = created.slice(0, 10);
    const results = await Promise.allSettled([
      ...[...victims, ...victims].map((p) => posts.delete(p.id, allow, author)),
      ...Array.from({ length: 5 }, () => posts.create(panel.id, author, { title: 'late', body: 'b', tags: [] })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(15);
    expect(await postCount(panel.id)).toBe(25);
  });

  it('drops a deleted post from the Redis cache; what is cached next carries the deleted flag', async () => {
    const author = randomUUID();
    const panel = await panels.create({ name: 'Cached', slug: `cached-${randomUUID()}`, description: '' }, author);
    const post = await posts.create(panel.id, author, { title: 'cached', body: 'b', tags: ['t'] });
    expect(await posts.byIds([post.id])).toEqual([post]);
    expect(await cache.get(`post:${post.id}`)).toMatchObject({ title: 'cached' });
    await posts.delete(post.id, allow, author);
    expect(await cache.get(`post:${post.id}`)).toBeUndefined();
    const [reloaded] = await posts.byIds([post.id]);
    expect(reloaded!.deletedAt).toBeInstanceOf(Date);
    // The deleted record is what the cache holds now, so no cached read can bring it back to life.
    expect(await cache.get(`post:${post.id}`)).toMatchObject({ deletedAt: expect.any(String) });
  });
});
