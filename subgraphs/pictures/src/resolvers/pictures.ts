import { byKeys } from '@agora/kit/loaders';
import { pageSize } from '@agora/kit/pagination';
import { parentPages } from '@agora/kit/parent-pages';
import type { Context } from '../context';
import { tagFilter } from '../domain/picture';
import { mediaPath } from '../media/paths';
import { cursorOf, type PictureRecord } from '../store/pictures';
import type { Resolvers } from '../__generated__/resolvers-types';

const pictureById = (ctx: Context) =>
  ctx.loaders.get<string, PictureRecord | null>('pictureById', async (ids) =>
    byKeys(ids, await ctx.store.byIds(ids), (p) => p.id),
  );

/** One page of pictures per user; the users of one response share one query. */
const picturesOfUser = (ctx: Context) =>
  parentPages<PictureRecord>(ctx.loaders, 'picturesOfUser', {
    fetch: (ownerIds, limit, cursor) => ctx.store.latestByOwners(ownerIds, limit, cursor),
    parentOf: (p) => p.ownerId,
    cursorOf,
  });

export const pictureResolvers: Resolvers = {
  Query: {
    picture: (_parent, { id }, ctx) => pictureById(ctx).load(id),
    pictures: (_parent, args, ctx) =>
      ctx.store.page(pageSize(args.first), args.after, {
        ownerId: args.ownerId ?? undefined,
        tag: args.tag === null || args.tag === undefined ? undefined : tagFilter(args.tag),
      }),
  },
  Mutation: {
    uploadPicture: (_parent, { input }, ctx) => ctx.pictures.upload(ctx.viewer, input),
    deletePicture: (_parent, { id }, ctx) => ctx.pictures.delete(ctx.viewer, id),
  },
  Picture: {
    __resolveReference: (ref, ctx) => pictureById(ctx).load(ref.id),
    owner: (picture) => ({ id: picture.ownerId }),
    url: (picture) => mediaPath(picture.id, 'original'),
    thumbnailUrl: (picture) => (picture.status === 'READY' ? mediaPath(picture.id, 'thumbnail') : null),
  },
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    pictures: (user, args, ctx) => picturesOfUser(ctx)(user.id, args),
  },
};
