import { byKeys } from '@agora/kit/loaders';
import { parentPages } from '@agora/kit/parent-pages';
import type { Context } from '../context';
import type { CommentRecord } from '../store/comments';
import { unknownPost, type PostRecord } from '../store/posts';

/** Per-request DataLoaders: every entity and every per-parent list is read in batches. */

/** Posts (replica rows with their comment count); one not heard of yet has no comments. */
export const postById = (ctx: Context) =>
  ctx.loaders.get<string, PostRecord>('postById', async (ids) =>
    byKeys(ids, await ctx.posts.byIds(ids), (p) => p.id).map((post, i) => post ?? unknownPost(ids[i]!)),
  );

/** Per post, the live comments by authors the viewer blocked (0 for most). */
export const hiddenCommentCount = (ctx: Context, viewerId: string) =>
  ctx.loaders.get<string, number>('hiddenCommentCount', async (postIds) => {
    const hidden = await ctx.comments.hiddenCounts(viewerId, postIds);
    return postIds.map((id) => hidden.get(id) ?? 0);
  });

/** Live comments the viewer sees: not by an author the viewer blocked, nor on such an author's post. */
export const visibleComment = (ctx: Context) =>
  ctx.loaders.get<string, CommentRecord | null>('visibleComment', async (ids) =>
    byKeys(ids, await ctx.comments.byIds(ids, ctx.viewer?.id ?? null), (c) => c.id),
  );

/** A page of a post's comments, one query for all the posts of a request. */
export const commentsOf = (ctx: Context) =>
  parentPages<CommentRecord>(ctx.loaders, 'commentsOf', {
    fetch: (postIds, limit, cursor) => ctx.comments.pages(postIds, limit, cursor, ctx.viewer?.id ?? null),
    parentOf: (comment) => comment.postId,
    cursorOf: (comment) => ({ at: comment.createdAt.toISOString(), id: comment.id }),
  });
