import { randomUUID } from 'node:crypto';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { newEvent, type EventEnvelope } from '@agora/kit/events/port';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import type { RunningService } from '@agora/kit/service';
import {
  sleep,
  waitFor,
  testTokens,
  freshDatabase,
  describeWithService,
  collectDeadLetters,
  codes,
  gql,
  type GraphQLResponse,
} from '@agora/kit/testing';
import { usersService } from '../src/service';

const registration = (userId: string, handle: string, displayName = handle) =>
  newEvent({ type: 'user.registered', source: 'auth', subject: userId, data: { userId, handle, displayName } });

/** The users subgraph alone, fed registrations on its event log and called with test tokens. */
function usersSuite(database: () => Promise<{ url?: string; drop: () => Promise<void> }>) {
  let infra: Infra;
  let service: RunningService;
  let url: string;
  let bearer: (viewer: { id: string; roles: ('user' | 'admin')[] }) => Promise<string>;
  let drop: () => Promise<void>;
  const relations: EventEnvelope[] = [];
  const profileEvents: EventEnvelope[] = [];

  const as = async (id: string) => ({ authorization: await bearer({ id, roles: ['user'] }) });
  const call = <D = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, viewer?: string) =>
    (viewer ? as(viewer) : Promise.resolve({})).then((headers) => gql<D>(url, query, variables, headers));
  const registerAll = async (handles: string[]) => {
    const ids = handles.map(() => randomUUID());
    await infra.events.publish(
      'auth.users',
      ids.map((id, i) => registration(id, handles[i]!)),
    );
    await waitFor(
      'the profiles',
      async () => {
        const res = await call<{ _entities: unknown[] }>(
          `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`,
          { r: ids.slice(-1).map((id) => ({ __typename: 'User', id })) },
        );
        return res.data?._entities[0];
      },
      20_000,
    );
    return ids;
  };
  const counts = async (id: string) =>
    (
      await call<{ user: { followerCount: number; followingCount: number } }>(
        `query($id: ID) { user(id: $id) { followerCount followingCount } }`,
        { id },
      )
    ).data!.user;
  const relate = (mutation: string, actor: string, target: string) =>
    call<Record<string, { id: string; followerCount: number; followingCount: number }>>(
      `mutation($id: ID!) { ${mutation}(userId: $id) { id followerCount followingCount } }`,
      { id: target },
      actor,
    );

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    infra = embeddedInfra();
    const tokens = await testTokens();
    bearer = tokens.bearer;
    service = await usersService.start({
      host: '127.0.0.1',
      port: 0,
      log: createLogger('users'),
      maxBodyBytes: 1_048_576,
      databaseUrl: db.url,
      infra,
      identify: tokens.identify,
    });
    url = service.graphqlUrl;
    await infra.events.subscribe({
      group: 'users-test',
      topics: ['users.relations'],
      fromBeginning: true,
      handle: async (event) => void relations.push(event),
    });
    await infra.events.subscribe({
      group: 'users-test-profiles',
      topics: ['users.profiles'],
      fromBeginning: true,
      handle: async (event) => void profileEvents.push(event),
    });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await infra?.close();
    await drop?.();
  });

  it('dead-letters a registration that does not fit the catalogue, and reads a newer minor version', async () => {
    const letters = await collectDeadLetters(infra.events, 'users');
    const unfit = newEvent({
      type: 'user.registered',
      source: 'auth',
      subject: randomUUID(),
      data: { handle: 'nobody' },
    });
    const id = randomUUID();
    const newer = { ...registration(id, 'newerminor'), version: '1.5' };
    newer.data = { ...newer.data, locale: 'fr' } as typeof newer.data;
    await infra.events.publish('auth.users', [unfit, newer]);
    await waitFor(
      'the newer-minor profile',
      async () => (await call(`{ user(handle: "newerminor") { id } }`)).data?.user,
    );
    await waitFor('the dead letter', () => letters.length === 1);
    expect(letters[0]).toMatchObject({ group: 'users', topic: 'auth.users', event: { id: unfit.id } });
    expect(letters[0]!.reason).toMatch(/userId/);
  });

  it('creates one profile per registration, however often the event is delivered', async () => {
    const id = randomUUID();
    const event = registration(id, 'twice', 'Twice Told');
    await infra.events.publish('auth.users', [event, event, { ...registration(id, 'twice'), id: randomUUID() }]);
    await waitFor('the profile', async () => (await call(`{ user(handle: "TWICE") { id } }`)).data?.user);
    const res = await call<{ user: Record<string, unknown> }>(
      `query($id: ID) { user(id: $id) { id handle displayName bio followerCount followingCount createdAt } }`,
      { id },
    );
    expect(res.data!.user).toEqual({
      id,
      handle: 'twice',
      displayName: 'Twice Told',
      bio: '',
      followerCount: 0,
      followingCount: 0,
      createdAt: new Date(Date.parse(event.occurredAt)).toISOString(),
    });
  });

  it('resolves 100 User references with one query per table (profiles, follows)', async () => {
    const ids = await registerAll(Array.from({ length: 100 }, (_, i) => `ref${i}`));
    const [viewer] = await registerAll(['referee']);
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    try {
      const res = await call<{ _entities: { id: string; handle: string; viewerIsFollowing: boolean }[] }>(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id handle followerCount viewerIsFollowing } } }`,
        { r: ids.map((id) => ({ __typename: 'User', id })) },
        viewer,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!._entities.map((u) => u.id)).toEqual(ids);
      expect(res.data!._entities[42]!.handle).toBe('ref42');
      const sql = spy.mock.calls.map(([query]) => query);
      expect(sql.filter((q) => /FROM profiles/.test(q))).toHaveLength(1);
      expect(sql.filter((q) => /FROM follows/.test(q))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('waits, bounded, for the profile of an account registered a moment ago', async () => {
    const late = randomUUID();
    const query = gql<{ _entities: ({ handle: string } | null)[] }>(
      url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { handle } } }`,
      { r: [{ __typename: 'User', id: late }] },
    );
    await sleep(300);
    await infra.events.publish('auth.users', [registration(late, 'latecomer')]);
    expect((await query).data!._entities).toEqual([{ handle: 'latecomer' }]);
    // An id no account has is null after the wait; one that is no UUID at once.
    const unknown = await gql<{ _entities: unknown[] }>(
      url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { handle } } }`,
      {
        r: [
          { __typename: 'User', id: randomUUID() },
          { __typename: 'User', id: 'nope' },
        ],
      },
    );
    expect(unknown.data!._entities).toEqual([null, null]);
  });

  it('counts 50 parallel follows of one user exactly', async () => {
    const [star, ...fans] = await registerAll(['star', ...Array.from({ length: 50 }, (_, i) => `fan${i}`)]);
    const results = await Promise.all(fans.map((fan) => relate('follow', fan, star!)));
    expect(results.flatMap((r) => codes(r))).toEqual([]);
    expect(await counts(star!)).toEqual({ followerCount: 50, followingCount: 0 });
    expect(await counts(fans[7]!)).toEqual({ followerCount: 0, followingCount: 1 });
    // Following again is a no-op, and so is unfollowing twice.
    expect((await relate('follow', fans[0]!, star!)).data!.follow!.followerCount).toBe(50);
    await Promise.all(
      fans.slice(0, 10).flatMap((fan) => [relate('unfollow', fan, star!), relate('unfollow', fan, star!)]),
    );
    expect(await counts(star!)).toEqual({ followerCount: 40, followingCount: 0 });
  }, 60_000);

  it('blocks: removes the follows both ways, fixes all four counts, and stops new follows', async () => {
    const [a, b, c] = await registerAll(['block_a', 'block_b', 'block_c']);
    await relate('follow', a!, b!);
    await relate('follow', b!, a!);
    await relate('follow', c!, a!);
    expect(await counts(a!)).toEqual({ followerCount: 2, followingCount: 1 });
    const blocked = await relate('block', a!, b!);
    expect(blocked.data!.block).toEqual({ id: b, followerCount: 0, followingCount: 0 });
    expect(await counts(a!)).toEqual({ followerCount: 1, followingCount: 0 });
    expect(codes(await relate('follow', b!, a!))).toEqual(['FORBIDDEN']);
    expect(codes(await relate('follow', a!, b!))).toEqual(['FORBIDDEN']);
    const flags = await call<{ user: { viewerHasBlocked: boolean; viewerIsFollowing: boolean } }>(
      `query($id: ID) { user(id: $id) { viewerHasBlocked viewerIsFollowing } }`,
      { id: b },
      a,
    );
    expect(flags.data!.user).toEqual({ viewerHasBlocked: true, viewerIsFollowing: false });
    expect(codes(await relate('block', a!, b!))).toEqual([]); // again: a no-op
    await relate('unblock', a!, b!);
    expect((await relate('follow', b!, a!)).data!.follow!.followerCount).toBe(2);
  });

  /** One user as the API shows them: counts, both lists, and whether `viewer` blocked them. */
  const relationsOf = async (id: string, viewer: string) =>
    (
      await call<{
        user: {
          followerCount: number;
          followingCount: number;
          viewerHasBlocked: boolean;
          followers: { edges: { node: { id: string } }[] };
          following: { edges: { node: { id: string } }[] };
        };
      }>(
        `query($id: ID) { user(id: $id) { followerCount followingCount viewerHasBlocked
          followers(first: 100) { edges { node { id } } } following(first: 100) { edges { node { id } } } } }`,
        { id },
        viewer,
      )
    ).data!.user;
  const ids = (list: { edges: { node: { id: string } }[] }) => list.edges.map((e) => e.node.id);

  it('lets A follow B while B follows A, for many pairs at once: no deadlock, every count exact', async () => {
    // Each pair's two follows lock the same two profiles from opposite ends (rows are locked in id order).
    const users = await registerAll(Array.from({ length: 40 }, (_, i) => `mutual${i}`));
    const pairs = Array.from({ length: 20 }, (_, i) => [users[2 * i]!, users[2 * i + 1]!] as const);
    const results = await Promise.all(pairs.flatMap(([a, b]) => [relate('follow', a, b), relate('follow', b, a)]));
    expect(results.flatMap((r) => codes(r))).toEqual([]);
    for (const [a, b] of pairs) {
      const seen = await relationsOf(a, b);
      expect({ counts: [seen.followerCount, seen.followingCount], followers: ids(seen.followers) }).toEqual({
        counts: [1, 1],
        followers: [b],
      });
      expect(ids(seen.following)).toEqual([b]);
    }
  }, 60_000);

  it('lets A follow B while B blocks A, for many pairs at once: never a follow beside a block, counts equal to edges', async () => {
    const users = await registerAll(Array.from({ length: 40 }, (_, i) => `racer${i}`));
    const pairs = Array.from({ length: 20 }, (_, i) => [users[2 * i]!, users[2 * i + 1]!] as const);
    // B already follows A, so the block has a follow of its own to remove as well.
    await Promise.all(pairs.map(([a, b]) => relate('follow', b, a)));
    const results = await Promise.all(pairs.flatMap(([a, b]) => [relate('follow', a, b), relate('block', b, a)]));
    // The follow either came first (then the block removed it) or was refused; the block always stands.
    expect(results.filter((_, i) => i % 2 === 1).flatMap((r) => codes(r))).toEqual([]);
    expect(
      results
        .filter((_, i) => i % 2 === 0)
        .flatMap((r) => codes(r))
        .filter((c) => c !== 'FORBIDDEN'),
    ).toEqual([]);
    for (const [a, b] of pairs) {
      const [aSeen, bSeen] = [await relationsOf(a, b), await relationsOf(b, a)];
      expect({
        blocked: aSeen.viewerHasBlocked,
        a: [aSeen.followerCount, aSeen.followingCount, ids(aSeen.followers), ids(aSeen.following)],
        b: [bSeen.followerCount, bSeen.followingCount, ids(bSeen.followers), ids(bSeen.following)],
      }).toEqual({ blocked: true, a: [0, 0, [], []], b: [0, 0, [], []] });
    }
  }, 60_000);

  it('publishes users.relations events for changes, none for no-ops', async () => {
    const [x, y, z] = await registerAll(['event_x', 'event_y', 'event_z']);
    const mine = () => relations.filter((e) => e.actorId === x);
    await relate('follow', x!, y!);
    await relate('follow', x!, y!);
    await relate('unfollow', x!, y!);
    await relate('unfollow', x!, y!);
    await relate('block', x!, y!);
    await relate('unblock', x!, y!);
    await relate('unblock', x!, y!);
    // A control change after them: once its event is in, an event of a no-op would be too.
    await relate('follow', x!, z!);
    await waitFor('the control event', () => mine().some((e) => (e.data as { targetId: string }).targetId === z));
    expect(mine().map((e) => e.type)).toEqual([
      'user.followed',
      'user.unfollowed',
      'user.blocked',
      'user.unblocked',
      'user.followed',
    ]);
    expect(mine()[0]).toMatchObject({ source: 'users', subject: x, data: { actorId: x, targetId: y } });
  });

  it('pages followers and following newest first, with cursors', async () => {
    const [idol, ...fans] = await registerAll(['idol', ...Array.from({ length: 25 }, (_, i) => `page${i}`)]);
    for (const fan of fans) await relate('follow', fan, idol!);
    const page = (after?: string) =>
      call<{
        user: {
          followers: {
            edges: { cursor: string; followedAt: string; node: { id: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        };
      }>(
        `query($id: ID, $after: String) { user(id: $id) { followers(first: 10, after: $after) {
          edges { cursor followedAt node { id } } pageInfo { hasNextPage endCursor } } } }`,
        { id: idol, after },
      );
    const seen: string[] = [];
    let after: string | undefined;
    for (const expected of [10, 10, 5]) {
      const { followers } = (await page(after)).data!.user;
      expect(followers.edges).toHaveLength(expected);
      seen.push(...followers.edges.map((e) => e.node.id));
      after = followers.pageInfo.endCursor;
      expect(followers.pageInfo.hasNextPage).toBe(expected === 10);
    }
    expect(seen).toEqual([...fans].reverse());
    const following = await call<{ user: { following: { edges: { node: { id: string } }[] } } }>(
      `query($id: ID) { user(id: $id) { following { edges { node { id } } } } }`,
      { id: fans[3] },
    );
    expect(following.data!.user.following.edges).toEqual([{ node: { id: idol } }]);
    expect(codes(await page('forged'))).toEqual(['BAD_USER_INPUT']);
    const forgedId = Buffer.from(JSON.stringify([new Date().toISOString(), 'x'])).toString('base64url');
    expect(codes(await page(forgedId))).toEqual(['BAD_USER_INPUT']);

    // The page size, exactly: 20 when not given, 1 to 100 when given, on both lists.
    const sized = (list: 'followers' | 'following', id: string, first?: number) =>
      call<{ user: Record<string, { edges: unknown[]; pageInfo: { hasNextPage: boolean } }> }>(
        `query($id: ID, $first: Int) { user(id: $id) { ${list}(first: $first) { edges { node { id } } pageInfo { hasNextPage } } } }`,
        { id, first },
      );
    const shape = async (first?: number) => {
      const { followers } = (await sized('followers', idol!, first)).data!.user;
      return [followers!.edges.length, followers!.pageInfo.hasNextPage];
    };
    expect(await shape()).toEqual([20, true]);
    expect(await shape(1)).toEqual([1, true]);
    expect(await shape(100)).toEqual([25, false]);
    for (const [list, id] of [
      ['followers', idol!],
      ['following', fans[3]!],
    ] as const) {
      for (const first of [0, 101]) {
        const refused = await sized(list, id, first);
        expect([list, first, refused.errors?.map((e) => e.extensions)]).toEqual([
          list,
          first,
          [expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first' })],
        ]);
      }
    }
  });

  it('refuses relations without a caller, with yourself, or with an unknown user', async () => {
    const [me] = await registerAll(['loner']);
    expect(codes(await call(`mutation { follow(userId: "${me}") { id } }`))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await relate('follow', me!, me!))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await relate('unblock', me!, me!))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await relate('follow', me!, 'nobody'))).toEqual(['NOT_FOUND']);
  });

  it('updates the caller’s own profile and refuses bad input without writing', async () => {
    const [me] = await registerAll(['editor']);
    const update = (input: Record<string, unknown>, viewer = me) =>
      call<{ updateProfile: { displayName: string; bio: string } }>(
        `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName bio } }`,
        { input },
        viewer,
      );
    expect((await update({ displayName: '  Ed Itor ', bio: ' Writes things. ' })).data!.updateProfile).toEqual({
      displayName: 'Ed Itor',
      bio: 'Writes things.',
    });
    expect((await update({ bio: '' })).data!.updateProfile).toEqual({ displayName: 'Ed Itor', bio: '' });
    expect(codes(await update({ displayName: '   ' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await update({ displayName: 'ok', bio: 'b'.repeat(501) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await update({ displayName: 'x'.repeat(51) }))).toEqual(['BAD_USER_INPUT']);
    const anonymous: GraphQLResponse = await call(`mutation { updateProfile(input: { bio: "hi" }) { bio } }`);
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const me2 = await call<{ me: { displayName: string; bio: string } }>(`{ me { displayName bio } }`, {}, me);
    expect(me2.data!.me).toEqual({ displayName: 'Ed Itor', bio: '' });
    expect(codes(await call(`{ user { id } }`))).toEqual(['BAD_USER_INPUT']);
    // Each accepted edit, and only those, is announced with the whole profile (search reads it).
    await waitFor('two profile events', () => profileEvents.filter((e) => e.subject === me).length >= 2);
    await sleep(100);
    const mine = profileEvents.filter((e) => e.subject === me);
    expect(mine.map((e) => [e.type, e.data])).toEqual([
      [
        'user.profile-updated',
        {
          userId: me,
          handle: 'editor',
          displayName: 'Ed Itor',
          bio: 'Writes things.',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
      [
        'user.profile-updated',
        {
          userId: me,
          handle: 'editor',
          displayName: 'Ed Itor',
          bio: '',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
    ]);
  });
}

describe('users subgraph on PGlite', () => {
  usersSuite(async () => ({ url: undefined, drop: async () => {} }));
});

describeWithService('DATABASE_URL', 'users subgraph on PostgreSQL', (serverUrl) => {
  usersSuite(() => freshDatabase(serverUrl));
});
