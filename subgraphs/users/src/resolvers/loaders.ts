import { notFound } from '@agora/kit/errors';
import { byKeys } from '@agora/kit/loaders';
import type { Context } from '../context';
import type { ProfileRecord } from '../store/profiles';

/** How long a just-registered account's profile may take to arrive (auth's event). */
export const REGISTRATION_WAIT_MS = 3_000;

const profileById = (ctx: Context) =>
  ctx.loaders.get<string, ProfileRecord | null>('profileById', async (ids) =>
    byKeys(ids, await ctx.profiles.byIds(ids), (p) => p.id),
  );

const awaitedProfileById = (ctx: Context) =>
  ctx.loaders.get<string, ProfileRecord | null>('awaitedProfileById', async (ids) =>
    byKeys(ids, await ctx.profiles.byRegisteredIds(ids, REGISTRATION_WAIT_MS), (p) => p.id),
  );

export const profileByHandle = (ctx: Context) =>
  ctx.loaders.get<string, ProfileRecord | null>('profileByHandle', async (handles) =>
    byKeys(handles, await ctx.profiles.byHandles(handles), (p) => p.handle),
  );

/** A user by id, as the store knows it now: null when unknown. */
export const findProfile = (ctx: Context, id: string) => profileById(ctx).load(id);

/**
 * A user whose account exists (the viewer, a reference from another subgraph, the target
 * of a relation): a batch costs one query, and only profiles not there yet are waited for.
 */
export async function registeredProfile(ctx: Context, id: string): Promise<ProfileRecord | null> {
  return (await profileById(ctx).load(id)) ?? (await awaitedProfileById(ctx).load(id));
}

export async function requireRegisteredProfile(ctx: Context, id: string): Promise<ProfileRecord> {
  const profile = await registeredProfile(ctx, id);
  if (!profile) throw notFound('No such user');
  return profile;
}

/** Whether the viewer follows each user of a batch (one query). */
export const viewerFollows = (ctx: Context, viewerId: string) =>
  ctx.loaders.get<string, boolean>('viewerFollows', async (ids) => {
    const followed = await ctx.relations.followedBy(viewerId, ids);
    return ids.map((id) => followed.has(id));
  });

/** Whether the viewer has blocked each user of a batch (one query). */
export const viewerBlocks = (ctx: Context, viewerId: string) =>
  ctx.loaders.get<string, boolean>('viewerBlocks', async (ids) => {
    const blocked = await ctx.relations.blockedBy(viewerId, ids);
    return ids.map((id) => blocked.has(id));
  });
