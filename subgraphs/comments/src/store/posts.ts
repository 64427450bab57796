import { EntitySchema, In, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { isUuid } from '@agora/kit/ids';

/**
 * A forum post as the comments service knows it: a replica kept from forum.posts events
 * (this service never calls the forum), with the post's materialised comment count.
 */
export interface PostRecord {
  id: string;
  authorId: string;
  deleted: boolean;
  /** Live comments on the post, kept in the same transaction as every comment write. */
  commentCount: number;
}

export const PostReplicaEntity = new EntitySchema<PostRecord>({
  name: 'PostReplica',
  tableName: 'posts',
  columns: {
    id: { type: 'uuid', primary: true },
    authorId: { type: 'uuid', name: 'author_id' },
    deleted: { type: 'boolean', default: false },
    commentCount: { type: 'integer', name: 'comment_count', default: 0 },
  },
});

/** A post this service has not heard of yet: no comments can exist on it. */
export const unknownPost = (id: string): PostRecord => ({ id, authorId: '', deleted: false, commentCount: 0 });

/** What the replica keeps of a forum.posts event's post. */
export interface PostFacts {
  id: string;
  authorId: string;
}

export class PostReplicaStore {
  private readonly repo: Repository<PostRecord>;

  constructor(db: DataSource) {
    this.repo = db.getRepository(PostReplicaEntity);
  }

  async byIds(ids: readonly string[]): Promise<PostRecord[]> {
    const valid = ids.filter(isUuid);
    return valid.length === 0 ? [] : this.repo.findBy({ id: In(valid) });
  }

  /** A created or edited post (run inside `consumeOnce`): the upserts make any order of arrival safe. */
  async keep(tx: EntityManager, post: PostFacts): Promise<void> {
    await tx.query(`INSERT INTO posts (id, author_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [
      post.id,
      post.authorId,
    ]);
  }

  /** A deleted post: it stays deleted whatever arrives after. */
  async markDeleted(tx: EntityManager, post: PostFacts): Promise<void> {
    await tx.query(
      `INSERT INTO posts (id, author_id, deleted) VALUES ($1, $2, true) ON CONFLICT (id) DO UPDATE SET deleted = true`,
      [post.id, post.authorId],
    );
  }
}
