import { randomUUID } from 'node:crypto';
import { newEvent } from '@agora/kit/events/port';
import type { Infra } from '@agora/kit/infra';
import { startServiceForTest, type ServiceUnderTest } from '@agora/kit/testing';
import type { Viewer } from '@agora/kit/viewer';
import { commentsService } from '../src/service';

export const newUser = (roles: Viewer['roles'] = ['user']): Viewer => ({ id: randomUUID(), roles });

export interface CommentView {
  id: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  author: { id: string };
  parent: { id: string } | null;
  post: { id: string; commentCount: number };
}

const COMMENT_FIELDS = 'id body createdAt updatedAt author { id } parent { id } post { id commentCount }';

/** The comments subgraph alone; posts come to it as the forum's events would. */
export class CommentsUnderTest {
  private constructor(private readonly under: ServiceUnderTest) {}

  static async start(options: { infra?: Infra } = {}): Promise<CommentsUnderTest> {
    return new CommentsUnderTest(await startServiceForTest(commentsService, options));
  }

  get infra(): Infra {
    return this.under.infra;
  }

  call<D = Record<string, unknown>>(viewer: Viewer | null, query: string, variables?: Record<string, unknown>) {
    return this.under.call<D>(viewer, query, variables);
  }

  /** Announces a post on forum.posts, as the forum does when one is created or deleted. */
  async publishPost(type: 'post.created' | 'post.deleted', post: { id: string; authorId: string }) {
    const at = new Date().toISOString();
    await this.infra.events.publish('forum.posts', [
      newEvent({
        type,
        source: 'forum',
        subject: post.id,
        actorId: post.authorId,
        data: { ...post, panelId: randomUUID(), title: 't', body: 'b', tags: [], createdAt: at, updatedAt: at },
      }),
    ]);
  }

  /** A new post, announced; addComment waits (bounded) for the service to hear of it. */
  async newPost(author: Viewer): Promise<string> {
    const id = randomUUID();
    await this.publishPost('post.created', { id, authorId: author.id });
    return id;
  }

  addComment(viewer: Viewer | null, input: { postId: string; body: string; parentId?: string }) {
    return this.call<{ addComment: CommentView }>(
      viewer,
      `mutation($input: AddCommentInput!) { addComment(input: $input) { ${COMMENT_FIELDS} } }`,
      { input },
    );
  }

  updateComment(viewer: Viewer | null, id: string, body: string) {
    return this.call<{ updateComment: CommentView }>(
      viewer,
      `mutation($id: ID!, $body: String!) { updateComment(id: $id, body: $body) { ${COMMENT_FIELDS} } }`,
      { id, body },
    );
  }

  deleteComment(viewer: Viewer | null, id: string) {
    return this.call<{ deleteComment: boolean }>(viewer, 'mutation($id: ID!) { deleteComment(id: $id) }', { id });
  }

  async comment(viewer: Viewer | null, id: string): Promise<CommentView | null> {
    const res = await this.call<{ comment: CommentView | null }>(
      viewer,
      `query($id: ID!) { comment(id: $id) { ${COMMENT_FIELDS} } }`,
      { id },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.comment;
  }

  /** A post's comment count and the bodies of its comments (newest first) as the viewer sees them. */
  async postComments(viewer: Viewer | null, postId: string, first = 100) {
    const res = await this.call<{
      _entities: { commentCount: number; comments: { edges: { node: { body: string } }[] } }[];
    }>(
      viewer,
      `query($reps: [_Any!]!, $first: Int) { _entities(representations: $reps) {
         ... on Post { commentCount comments(first: $first) { edges { node { body } } } } } }`,
      { reps: [{ __typename: 'Post', id: postId }], first },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const post = res.data!._entities[0]!;
    return { count: post.commentCount, bodies: post.comments.edges.map((e) => e.node.body) };
  }

  close() {
    return this.under.close();
  }
}
