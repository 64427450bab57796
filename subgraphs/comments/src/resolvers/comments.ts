import { requireOwnerOrAdmin, requireViewer } from '@agora/kit/viewer';
import { commentBody } from '../domain/comment';
import type { Resolvers } from '../__generated__/resolvers-types';
import { commentsOf, hiddenCommentCount, postById, visibleComment } from './loaders';

export const commentResolvers: Resolvers = {
  Query: {
    comment: (_parent, { id }, ctx) => visibleComment(ctx).load(id),
  },
  Mutation: {
    addComment: (_parent, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const body = commentBody(input.body);
      return ctx.comments.add({ postId: input.postId, parentId: input.parentId ?? null, body }, viewer.id);
    },
    updateComment: (_parent, { id, body }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const text = commentBody(body);
      return ctx.comments.update(id, text, (comment) => requireOwnerOrAdmin(viewer, comment.authorId), viewer.id);
    },
    deleteComment: async (_parent, { id }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      await ctx.comments.delete(id, (comment) => requireOwnerOrAdmin(viewer, comment.authorId), viewer.id);
      return true;
    },
  },
  Comment: {
    // Other subgraphs' references (_entities) hide what the viewer blocked, as comment(id) does.
    __resolveReference: (ref, ctx) => visibleComment(ctx).load(ref.id),
    post: (comment, _args, ctx) => postById(ctx).load(comment.postId),
    author: (comment) => ({ id: comment.authorId }),
    parent: (comment, _args, ctx) => (comment.parentId ? visibleComment(ctx).load(comment.parentId) : null),
  },
  Post: {
    __resolveReference: (ref, ctx) => postById(ctx).load(ref.id),
    // What the viewer can see: the comments of authors they blocked are not counted.
    commentCount: async (post, _args, ctx) => {
      if (post.deleted) return 0;
      if (!ctx.viewer) return post.commentCount;
      return post.commentCount - (await hiddenCommentCount(ctx, ctx.viewer.id).load(post.id));
    },
    comments: (post, args, ctx) => commentsOf(ctx)(post.id, args),
  },
};
