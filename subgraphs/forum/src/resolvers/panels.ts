import { badInput } from '@agora/kit/errors';
import { byKeys } from '@agora/kit/loaders';
import { pageSize } from '@agora/kit/pagination';
import type { Context } from '../context';
import { newPanel } from '../domain/panel';
import type { PanelRecord } from '../store/panels';
import type { Resolvers } from '../__generated__/resolvers-types';

const panelById = (ctx: Context) =>
  ctx.loaders.get<string, PanelRecord | null>('panelById', async (ids) =>
    byKeys(ids, await ctx.panels.byIds(ids), (p) => p.id),
  );

const panelBySlug = (ctx: Context) =>
  ctx.loaders.get<string, PanelRecord | null>('panelBySlug', async (slugs) =>
    byKeys(slugs, await ctx.panels.bySlugs(slugs), (p) => p.slug),
  );

export const panelResolvers: Resolvers = {
  Query: {
    panels: (_parent, args, ctx) => ctx.panels.page(pageSize(args.first), args.after),
    panel: (_parent, { id, slug }, ctx) => {
      if ((id ? 1 : 0) + (slug ? 1 : 0) !== 1) throw badInput('Give exactly one of id and slug');
      return id ? panelById(ctx).load(id) : panelBySlug(ctx).load(slug!.toLowerCase());
    },
  },
  Mutation: {
    createPanel: (_parent, { input }, ctx) => ctx.panels.create(newPanel(input)),
  },
  Panel: {
    __resolveReference: (ref, ctx) => panelById(ctx).load(ref.id),
  },
};
