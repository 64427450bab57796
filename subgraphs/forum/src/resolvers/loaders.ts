import { byKeys } from '@agora/kit/loaders';
import { parentPages } from '@agora/kit/parent-pages';
import type { Context } from '../context';
import type { PanelRecord } from '../store/panels';
import type { PostParent, PostRecord } from '../store/posts';

/** Per-request DataLoaders: every entity and every per-parent list is read in batches. */

export const panelById = (ctx: Context) =>
  ctx.loaders.get<string, PanelRecord | null>('panelById', async (ids) =>
    byKeys(ids, await ctx.panels.byIds(ids), (p) => p.id),
  );

export const panelBySlug = (ctx: Context) =>
  ctx.loaders.get<string, PanelRecord | null>('panelBySlug', async (slugs) =>
    byKeys(slugs, await ctx.panels.bySlugs(slugs), (p) => p.slug),
  );

/** Live posts by id (a cached record of a deleted post is never served). */
export const postById = (ctx: Context) =>
  ctx.loaders.get<string, PostRecord | null>('postById', async (ids) => {
    const live = (await ctx.posts.byIds(ids)).filter((post) => post.deletedAt === null);
    return byKeys(ids, live, (p) => p.id);
  });

/** Whether the viewer blocked each author. */
export const blockedByViewer = (ctx: Context, viewerId: string) =>
  ctx.loaders.get<string, boolean>('blockedByViewer', async (authorIds) => {
    const blocked = await ctx.posts.blockedAuthors(viewerId, authorIds);
    return authorIds.map((id) => blocked.has(id));
  });

/** Per panel, the live posts by authors the viewer blocked (0 for most). */
export const hiddenPostCount = (ctx: Context, viewerId: string) =>
  ctx.loaders.get<string, number>('hiddenPostCount', async (panelIds) => {
    const hidden = await ctx.posts.hiddenCounts(viewerId, panelIds);
    return panelIds.map((id) => hidden.get(id) ?? 0);
  });

/** A page of a panel's or an author's posts, one query for all the parents of a request. */
export const postsOf = (ctx: Context, parent: PostParent) =>
  parentPages<PostRecord>(ctx.loaders, `postsOf:${parent}`, {
    fetch: (parentIds, limit, cursor) => ctx.posts.pages(parent, parentIds, limit, cursor, ctx.viewer?.id ?? null),
    parentOf: (post) => (parent === 'panel' ? post.panelId : post.authorId),
    cursorOf: (post) => ({ at: post.createdAt.toISOString(), id: post.id }),
  });
