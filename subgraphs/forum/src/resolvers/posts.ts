import { requireOwnerOrAdmin, requireViewer } from '@agora/kit/viewer';
import type { Context } from '../context';
import { newPost, postChanges } from '../domain/post';
import type { PostRecord } from '../store/posts';
import type { Resolvers } from '../__generated__/resolvers-types';
import { blockedByViewer, panelById, postById, postsOf } from './loaders';

/** post(id): a live post, unless its author is blocked by the viewer. */
async function visiblePost(ctx: Context, id: string): Promise<PostRecord | null> {
  const post = await postById(ctx).load(id);
  if (!post || !ctx.viewer) return post;
  return (await blockedByViewer(ctx, ctx.viewer.id).load(post.authorId)) ? null : post;
}

export const postResolvers: Resolvers = {
  Query: {
    post: (_parent, { id }, ctx) => visiblePost(ctx, id),
  },
  Mutation: {
    createPost: (_parent, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      return ctx.posts.create(input.panelId, viewer.id, newPost(input));
    },
    updatePost: (_parent, { id, input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const changes = postChanges(input);
      return ctx.posts.update(id, changes, (post) => requireOwnerOrAdmin(viewer, post.authorId), viewer.id);
    },
    deletePost: async (_parent, { id }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      await ctx.posts.delete(id, (post) => requireOwnerOrAdmin(viewer, post.authorId), viewer.id);
      return true;
    },
  },
  Post: {
    // Other subgraphs' references (Comment.post, _entities) hide a blocked author's post too.
    __resolveReference: (ref, ctx) => visiblePost(ctx, ref.id),
    panel: async (post, _args, ctx) => (await panelById(ctx).load(post.panelId))!,
    author: (post) => ({ id: post.authorId }),
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    posts: (user, args, ctx) => postsOf(ctx, 'author')(user.id, args),
  },
};
