import { buildSchema, graphql, type FormattedExecutionResult } from 'graphql';
import { MemoryEventLog } from '@agora/kit/events/memory';
import { postCreated, userBlocked, userUnblocked, type EventDefinition } from '@agora/contracts/events';
import { createLogger } from '@agora/kit/log';
import { MemoryNotices } from '@agora/kit/notices/memory';
import { sleep, testTokens } from '@agora/kit/testing';
import { DEFAULT_OPERATION_LIMITS } from '@agora/kit/operation-limits';
import { authenticator } from '../src/callers';
import type { Caller, Execute } from '../src/subscriptions/engine';

const LOCAL = { forwardedFor: '127.0.0.1', address: '127.0.0.1' };
import { SubscriptionEngine } from '../src/subscriptions/engine';

/**
 * A small stand-in supergraph for the subscription engine's tests: the same `@event`
 * fields as Agora's (post, picture), resolved by graphql-js over in-memory data, with every
 * resolution counted. The real supergraph is exercised in subscriptions.e2e.test.ts.
 */
export const TEST_SDL = /* GraphQL */ `
  directive @event(
    topic: String
    type: String
    exchange: String
    routingKey: String
    subject: String = "id"
    filter: [String!]
    author: String
    owner: String
  ) on FIELD_DEFINITION

  type Query {
    post(id: ID!): Post
    picture(id: ID!): Picture
    user(id: ID): User
  }
  type Mutation {
    noop: Boolean
  }
  type Post {
    id: ID!
    title: String!
    body: String!
    author: User!
  }
  type User {
    id: ID!
    handle: String!
    viewerHasBlocked: Boolean!
    latestPost: Post
  }
  type Picture {
    id: ID!
    status: String!
  }
  type Subscription {
    postAdded(panelId: ID): Post!
      @event(topic: "forum.posts", type: "post.created", filter: ["panelId"], author: "authorId")
    pictureProcessed(pictureId: ID): Picture!
      @event(
        exchange: "realtime"
        routingKey: "picture.processed"
        subject: "pictureId"
        filter: ["pictureId"]
        owner: "ownerId"
      )
    unsourced: Post!
  }
`;

interface PostRow {
  id: string;
  panelId: string;
  authorId: string;
  title: string;
  body: string;
}

/** A catalogue post event (post.created unless said otherwise) for a test row, as the forum's outbox would write it. */
export function postEventOf(row: PostRow, definition: EventDefinition = postCreated) {
  const at = new Date().toISOString();
  const data = { id: row.id, panelId: row.panelId, authorId: row.authorId, title: row.title, body: row.body };
  return definition.build({
    subject: row.id,
    actorId: row.authorId,
    data: { ...data, tags: [], createdAt: at, updatedAt: at },
  });
}

export async function testWorld(
  options: {
    queueLimit?: number;
    maxEventsInFlight?: number;
    /** Runs as a resolution starts; the payload is computed then and handed back after the delay. */
    resolveDelayMs?: () => number;
    /** Awaited after the payload is computed, before it is handed back: holds resolutions open. */
    resolveGate?: () => Promise<void>;
  } = {},
) {
  const schema = buildSchema(TEST_SDL);
  const tokens = await testTokens();
  const events = new MemoryEventLog();
  const notices = new MemoryNotices();
  const posts = new Map<string, PostRow>();
  const pictures = new Map<string, { id: string; ownerId: string; status: string }>();
  const handles = new Map<string, string>();
  /** `${viewerId}:${authorId}` pairs, as the users subgraph would know them. */
  const blocks = new Set<string>();
  const resolutions: { query: string; variables: Record<string, unknown>; viewerId: string | null }[] = [];

  const user = (id: string) => ({
    id,
    handle: handles.get(id) ?? `user-${id}`,
    viewerHasBlocked: (_: unknown, ctx: { viewer: Caller['viewer'] }) => blocks.has(`${ctx.viewer?.id}:${id}`),
    latestPost: () => [...posts.values()].find((p) => p.authorId === id),
  });
  const rootValue = {
    post: ({ id }: { id: string }) => {
      const row = posts.get(id);
      return row && { ...row, author: () => user(row.authorId) };
    },
    picture: ({ id }: { id: string }) => pictures.get(id),
    user: ({ id }: { id: string }) => user(id),
  };
  const execute: Execute = async (request, caller) => {
    resolutions.push({
      query: request.query,
      variables: request.variables ?? {},
      viewerId: caller?.viewer?.id ?? null,
    });
    // Subgraphs verify the token they are given.
    if (caller?.authorization && !(await tokens.identify(caller.authorization).catch(() => null))) {
      return { errors: [{ message: 'Invalid or expired access token', extensions: { code: 'UNAUTHENTICATED' } }] };
    }
    const delay = options.resolveDelayMs?.() ?? 0;
    const result = await graphql({
      schema,
      source: request.query,
      variableValues: request.variables,
      operationName: request.operationName,
      rootValue,
      contextValue: { viewer: caller?.viewer ?? null },
    });
    if (delay > 0) await sleep(delay);
    await options.resolveGate?.();
    return JSON.parse(JSON.stringify(result)) as FormattedExecutionResult;
  };
  const engine = new SubscriptionEngine({
    log: createLogger('subscriptions-test'),
    events,
    notices,
    authenticate: authenticator({ identify: tokens.identify }),
    execute,
    limits: { ...DEFAULT_OPERATION_LIMITS, maxDepth: 10 },
    queueLimit: options.queueLimit ?? 100,
    maxEventsInFlight: options.maxEventsInFlight,
  });
  engine.schemaChanged(schema, TEST_SDL);
  await engine.ready();

  return {
    engine,
    events,
    notices,
    posts,
    pictures,
    handles,
    blocks,
    resolutions,
    /** A signed-in caller with a real access token. */
    signedIn: async (id: string): Promise<Caller> => {
      const authorization = await tokens.bearer({ id, roles: ['user'] });
      return engine.authenticate({ authorization }, LOCAL);
    },
    anonymous: (): Caller => ({ viewer: null, callerClass: 'anonymous', ...LOCAL }),
    bearer: (id: string) => tokens.bearer({ id, roles: ['user'] }),
    identify: tokens.identify,
    /** Stores a post and publishes its post.created, as the forum's outbox would. */
    createPost: async (row: PostRow) => {
      posts.set(row.id, row);
      await events.publish('forum.posts', [postEventOf(row)]);
    },
    relation: async (type: 'user.blocked' | 'user.unblocked', actorId: string, targetId: string) => {
      if (type === 'user.blocked') blocks.add(`${actorId}:${targetId}`);
      else blocks.delete(`${actorId}:${targetId}`);
      await events.publish('users.relations', [
        (type === 'user.blocked' ? userBlocked : userUnblocked).build({
          subject: actorId,
          actorId,
          data: { actorId, targetId },
        }),
      ]);
    },
    pictureProcessed: async (id: string, ownerId: string) => {
      pictures.set(id, { id, ownerId, status: 'READY' });
      await notices.publish('picture.processed', { pictureId: id, ownerId, status: 'READY' });
    },
    close: async () => {
      await engine.close();
      await events.close();
      await notices.close();
    },
  };
}

export type TestWorld = Awaited<ReturnType<typeof testWorld>>;

/** Collects what a stream yields, in the background. */
export function collect<T>(stream: AsyncIterable<T>): T[] {
  const seen: T[] = [];
  void (async () => {
    for await (const item of stream) seen.push(item);
  })();
  return seen;
}
