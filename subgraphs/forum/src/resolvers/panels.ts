import { apiError, badInput } from '@agora/kit/errors';
import { pageSize } from '@agora/kit/pagination';
import { requireViewer } from '@agora/kit/viewer';
import { newPanel } from '../domain/panel';
import type { Resolvers } from '../__generated__/resolvers-types';
import { hiddenPostCount, panelById, panelBySlug, postsOf } from './loaders';

export const panelResolvers: Resolvers = {
  Query: {
    panels: (_parent, args, ctx) => ctx.panels.page(pageSize(args.first), args.after),
    panel: (_parent, { id, slug }, ctx) => {
      if ((id ? 1 : 0) + (slug ? 1 : 0) !== 1) throw badInput('Give exactly one of id and slug');
      return id ? panelById(ctx).load(id) : panelBySlug(ctx).load(slug!.toLowerCase());
    },
  },
  Mutation: {
    createPanel: (_parent, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      return ctx.panels.create(newPanel(input), viewer.id);
    },
  },
  Panel: {
    __resolveReference: (ref, ctx) => panelById(ctx).load(ref.id),
    createdBy: (panel) => {
      if (panel.createdBy === null) throw apiError('NOT_FOUND', 'This panel was created before panels had creators');
      return { id: panel.createdBy };
    },
    posts: (panel, args, ctx) => postsOf(ctx, 'panel')(panel.id, args),
    // What the viewer can see: the posts of authors they blocked are not counted.
    postCount: async (panel, _args, ctx) =>
      ctx.viewer ? panel.postCount - (await hiddenPostCount(ctx, ctx.viewer.id).load(panel.id)) : panel.postCount,
  },
};
