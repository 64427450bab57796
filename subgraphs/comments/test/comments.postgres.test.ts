import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { blocksMigrations } from '@agora/kit/blocks';
import { openDatabase } from '@agora/kit/db/datasource';
import { MemoryEventLog } from '@agora/kit/events/memory';
import { newEvent } from '@agora/kit/events/port';
import { createLogger } from '@agora/kit/log';
import { consumeOnce, Outbox, outboxMigrations } from '@agora/kit/outbox';
import { describeWithService } from '@agora/kit/testing';
import { forbidden } from '@agora/kit/errors';
import { CommentEntity, CommentStore } from '../src/store/comments';
import { migrations } from '../src/store/migrations';
import { PostReplicaEntity, PostReplicaStore } from '../src/store/posts';

/** The count rules against real PostgreSQL, where concurrent transactions do run at once (a pool of 10). */
describeWithService('DATABASE_URL', 'comment counts on PostgreSQL under concurrent writes', (url) => {
  const schema = `comments_test_${randomUUID().replaceAll('-', '')}`;
  let db: DataSource;
  let posts: PostReplicaStore;
  let comments: CommentStore;

  beforeAll(async () => {
    db = await openDatabase({
      service: 'comments',
      schema,
      url,
      entities: [CommentEntity, PostReplicaEntity],
      migrations: [...outboxMigrations, ...blocksMigrations, ...migrations],
    });
    // The relay is not started: events stay in the outbox, which this test reads.
    const outbox = new Outbox(db, new MemoryEventLog(), createLogger('comments-test'));
    posts = new PostReplicaStore(db);
    comments = new CommentStore(db, outbox, posts);
  });
  afterAll(async () => {
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db?.destroy();
  });

  const knownPost = async () => {
    const id = randomUUID();
    const event = newEvent({ type: 'post.created', source: 'forum', subject: id, data: { id } });
    await consumeOnce(db, 'comments', event, (tx) => posts.keep(tx, { id, authorId: randomUUID() }));
    return id;
  };
  const countOf = async (postId: string) => (await posts.byIds([postId]))[0]!.commentCount;
  const allow = () => undefined;

  it('counts concurrent adds exactly, and each concurrently repeated delete once', async () => {
    const postId = await knownPost();
    const authors = [randomUUID(), randomUUID()];
    const added = await Promise.all(
      Array.from({ length: 40 }, (_, i) => comments.add({ postId, parentId: null, body: `c${i}` }, authors[i % 2]!)),
    );
    expect(await countOf(postId)).toBe(40);

    const victims = added.slice(0, 10);
    const results = await Promise.allSettled([
      ...[...victims, ...victims, ...victims].map((c) => comments.delete(c.id, allow, c.authorId)),
      // Adds racing the deletes.
      ...Array.from({ length: 10 }, (_, i) => comments.add({ postId, parentId: null, body: `late ${i}` }, authors[0]!)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    const refusals = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(refusals.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toEqual(
      Array(20).fill('NOT_FOUND'),
    );
    expect(await countOf(postId)).toBe(40);
    const [live] = (await db.query(
      `SELECT count(*)::int AS n FROM comments WHERE post_id = $1 AND deleted_at IS NULL`,
      [postId],
    )) as { n: number }[];
    expect(live!.n).toBe(40);
    // One event per successful write, none for the refused ones.
    const [events] = (await db.query(`SELECT count(*)::int AS n FROM outbox`)) as { n: number }[];
    expect(events!.n).toBe(40 + 10 + 10);
  });

  it('leaves nothing written when a write is refused', async () => {
    const postId = await knownPost();
    const comment = await comments.add({ postId, parentId: null, body: 'mine' }, randomUUID());
    const [before] = (await db.query(`SELECT count(*)::int AS n FROM outbox`)) as { n: number }[];
    const refuse = () => {
      throw forbidden();
    };
    await expect(comments.delete(comment.id, refuse, randomUUID())).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(comments.update(comment.id, 'changed', refuse, randomUUID())).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    expect(await countOf(postId)).toBe(1);
    expect((await comments.byIds([comment.id], null))[0]).toMatchObject({ body: 'mine', deletedAt: null });
    const [after] = (await db.query(`SELECT count(*)::int AS n FROM outbox`)) as { n: number }[];
    expect(after!.n).toBe(before!.n);
  });
});
