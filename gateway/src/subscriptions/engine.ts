import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GraphQLError, type DocumentNode, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { findEvent, findNotice, TOPICS } from '@agora/contracts/events';
import { readEvent, readNotice } from '@agora/kit/events/consume';
import { apiError, unauthenticated } from '@agora/kit/errors';
import type { Consumer, EventEnvelope, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { metrics } from '@agora/kit/metrics';
import type { Notices, NoticeSubscription } from '@agora/kit/notices/port';
import {
  checkOperation,
  costModel,
  wantsCost,
  type CostModel,
  type OperationLimits,
} from '@agora/kit/operation-limits';
import { rateLimitedError, type RateLimitState } from '@agora/kit/rate-limit';
import type { Authenticate, Caller, Credentials } from '../callers';
import { persistedIdOf, persistedQueryNotFound, untrusted, type PersistedDocuments } from '../persisted';
import { BlockList } from './blocks';
import { readEventCatalog, type EventField } from './event-directive';
import {
  parseOperation,
  planSubscription,
  SUBJECT_VARIABLE,
  type OperationRequest,
  type SubscriptionPlan,
} from './plan';
import { SubscriberStream } from './stream';

export type { Caller };

/**
 * Runs an operation through the supergraph (the gateway's own Apollo Server), as the caller,
 * or with no caller for payloads shared by every subscriber (anonymous).
 */
export type Execute = (request: OperationRequest, caller: Caller | null) => Promise<FormattedExecutionResult>;

export interface EngineOptions {
  log: Logger;
  events: EventLog;
  notices: Notices;
  /** Checks a connection's or request's credentials (access token or API key). */
  authenticate: Authenticate;
  execute: Execute;
  /** The same operation limits as HTTP (tokens, depth, aliases, root fields, directives, cost). */
  limits: OperationLimits;
  /** Payloads a subscriber may fall behind before it is cut off as a slow consumer. */
  queueLimit: number;
  /** Events resolved at once before the consumer waits (default 1 000); tests set it low. */
  maxEventsInFlight?: number;
  /** Counts an operation against the caller's rate limits (HTTP's); none: unlimited. */
  admit?: (caller: Caller) => Promise<RateLimitState[]>;
  /** Registered documents and whether only they may run (trusted-documents mode). */
  persisted?: PersistedDocuments;
}

/** How a transport wants an operation opened. */
export interface OpenOptions {
  /** SSE over GET: a read-only request, so only subscriptions (anything else: 405). */
  subscriptionsOnly?: boolean;
}

export type Payload = FormattedExecutionResult;

/** What the transport hears about a subscription it opened. */
export interface StreamListener {
  /** The subscriber was cut off as a slow consumer; close its connection with this reason. */
  overflow(reason: string): void;
  /** The subscription has ended (unsubscribed, cut off or shut down). */
  closed?(): void;
}

/** What a transport gets for one operation. */
export type Opened =
  | { kind: 'errors'; errors: GraphQLError[] }
  | { kind: 'result'; document: DocumentNode; schema: GraphQLSchema; result: Payload }
  | { kind: 'stream'; document: DocumentNode; schema: GraphQLSchema; stream: SubscriberStream<Payload> };

interface Subscriber {
  plan: SubscriptionPlan;
  caller: Caller;
  stream: SubscriberStream<Payload>;
}

/** Events being resolved at once; past this the event consumer waits (backpressure). */
const MAX_EVENTS_IN_FLIGHT = 1_000;

/** A payload that is null only because the entity is hidden from (or gone for) this scope. */
const HIDDEN = new Set(['NOT_FOUND', 'FORBIDDEN']);

/**
 * The transport-agnostic core of subscriptions: reads the `@event` fields from the
 * supergraph, consumes their events (its own consumer group, so every gateway replica gets
 * every event), matches them to subscribers, resolves each distinct payload once through
 * the supergraph and hands it to every subscriber entitled to it, in order per entity.
 */
export class SubscriptionEngine {
  private schema?: { api: GraphQLSchema; fields: Map<string, EventField>; costs: CostModel };
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly consumed = new Set<string>();
  private readonly consumers: (Consumer | NoticeSubscription)[] = [];
  /** The tail of each entity's queue of events: events of one entity are handled one after another. */
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  private readonly admissions: (() => void)[] = [];
  private readonly recentEvents = new RecentIds(10_000);
  private readonly blocks: BlockList;
  private starting: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    this.blocks = new BlockList((authorId, caller) => this.askHasBlocked(authorId, caller));
  }

  /** A new or reloaded supergraph: new subscriptions use it; consumption grows to its sources. */
  schemaChanged(apiSchema: GraphQLSchema, supergraphSdl: string): void {
    const { fields, problems } = readEventCatalog(supergraphSdl, apiSchema);
    for (const problem of problems) this.options.log.error(problem);
    this.schema = { api: apiSchema, fields, costs: costModel(supergraphSdl) };
    this.starting = this.starting
      .then(() => this.consume([...fields.values()]))
      .catch((error: unknown) => {
        this.options.log.error({ err: error }, 'could not start consuming subscription events');
      });
  }

  /** Resolves once the consumers for the current schema are subscribed. */
  ready(): Promise<void> {
    return this.starting;
  }

  /** Verifies credentials (access token or API key); bad ones are an UNAUTHENTICATED error. */
  async authenticate(credentials: Credentials, origin: { forwardedFor: string; address: string }): Promise<Caller> {
    try {
      return await this.options.authenticate(credentials, origin);
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      this.options.log.error({ err: error }, 'could not verify credentials');
      throw unauthenticated('The credentials could not be verified');
    }
  }

  /** Counts a request against the caller's rate limits (an SSE reservation, say). */
  async admit(caller: Caller): Promise<RateLimitState[]> {
    return (await this.options.admit?.(caller)) ?? [];
  }

  /**
   * Starts one operation, after the caller's rate limits, the trusted-documents rule and the
   * operation limits, as over HTTP: nothing reaches a subgraph before they pass. A
   * subscription becomes a stream of payloads; queries and mutations (also allowed over
   * WebSocket and SSE POST) are run once through the supergraph. Never throws: every refusal
   * is an error with a code.
   */
  async open(
    sent: OperationRequest,
    caller: Caller,
    listener: StreamListener,
    options: OpenOptions = {},
  ): Promise<Opened> {
    try {
      return await this.start(sent, caller, listener, options);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code) return { kind: 'errors', errors: [error] };
      this.options.log.error({ err: error }, 'could not open an operation');
      return {
        kind: 'errors',
        errors: [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })],
      };
    }
  }

  private async start(
    request: OperationRequest,
    caller: Caller,
    listener: StreamListener,
    options: OpenOptions,
  ): Promise<Opened> {
    const schema = this.schema;
    if (!schema || this.closed) return { kind: 'errors', errors: [notServing()] };
    const refused = (await this.admit(caller)).find((state) => !state.allowed);
    if (refused) return { kind: 'errors', errors: [rateLimitedError(refused)] };
    const persisted = this.options.persisted;
    // The transports put a registered document in place of a persisted id (withRegisteredQuery).
    if (!request.query && persistedIdOf(request.extensions) !== undefined) {
      return { kind: 'errors', errors: [persistedQueryNotFound()] };
    }
    const notTrusted = persisted && untrusted(persisted, request.query, request.extensions ?? undefined);
    if (notTrusted) return { kind: 'errors', errors: [notTrusted] };
    const parsed = parseOperation(schema.api, request, this.options.limits);
    if ('errors' in parsed) return { kind: 'errors', errors: parsed.errors };
    const cost = checkOperation({
      schema: schema.api,
      document: parsed.document,
      operationName: request.operationName,
      variables: request.variables,
      model: schema.costs,
      limits: this.options.limits,
      maxCost: this.options.limits.maxCost[caller.callerClass],
    });
    if (options.subscriptionsOnly && parsed.operation.operation !== 'subscription') {
      return { kind: 'errors', errors: [getOnlySubscribes(parsed.operation.operation)] };
    }
    if (parsed.operation.operation !== 'subscription') {
      const result = await this.options.execute(request, caller);
      const withCost = wantsCost(request.extensions)
        ? {
            ...result,
            extensions: {
              ...result.extensions,
              cost: { estimated: cost, max: this.options.limits.maxCost[caller.callerClass] },
            },
          }
        : result;
      return { kind: 'result', document: parsed.document, schema: schema.api, result: withCost };
    }
    const plan = planSubscription(schema.api, parsed, schema.fields, caller.viewer);
    if ('errors' in plan) return { kind: 'errors', errors: plan.errors };
    const reason = `slow consumer: more than ${this.options.queueLimit} events pending`;
    const subscriber: Subscriber = {
      plan,
      caller,
      stream: new SubscriberStream<Payload>(this.options.queueLimit, {
        overflow: () => {
          this.options.log.warn({ field: plan.field.name, viewer: caller.viewer?.id }, reason);
          listener.overflow(reason);
        },
        closed: () => {
          if (this.subscribers.get(plan.field.name)?.delete(subscriber)) {
            metrics.subscriptionsOpen.dec({ field: plan.field.name });
          }
          listener.closed?.();
        },
      }),
    };
    let set = this.subscribers.get(plan.field.name);
    if (!set) this.subscribers.set(plan.field.name, (set = new Set()));
    set.add(subscriber);
    metrics.subscriptionsOpen.inc({ field: plan.field.name });
    return { kind: 'stream', document: parsed.document, schema: schema.api, stream: subscriber.stream };
  }

  /** Stops consuming, lets events being resolved finish, then completes every subscription. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    await Promise.all(this.consumers.splice(0).map((consumer) => consumer.stop()));
    await Promise.all(this.chains.values());
    for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.stream.end(true);
  }

  private async consume(fields: EventField[]): Promise<void> {
    const topics = new Set<string>();
    for (const field of fields) {
      if (field.source.kind === 'kafka') topics.add(field.source.topic);
      if (field.author) topics.add(TOPICS.usersRelations);
      if (field.source.kind === 'notice' && !this.consumed.has(`notice:${field.source.routingKey}`)) {
        this.consumed.add(`notice:${field.source.routingKey}`);
        this.consumers.push(await this.options.notices.subscribe(field.source.routingKey, (n) => this.onNotice(n)));
      }
    }
    const newTopics = [...topics].filter((topic) => !this.consumed.has(`topic:${topic}`));
    if (newTopics.length === 0 || this.closed) return;
    for (const topic of newTopics) this.consumed.add(`topic:${topic}`);
    this.consumers.push(
      await this.options.events.subscribe({
        // A group of its own: this process must see every event, not a share of them.
        group: `gateway-${hostname()}-${process.pid}-${randomUUID()}`,
        topics: newTopics,
        fromBeginning: false,
        handle: (event, topic) => this.onEvent(event, topic),
      }),
    );
    this.options.log.info({ topics: newTopics }, 'consuming subscription events');
  }

  private async onEvent(event: EventEnvelope, topic: string): Promise<void> {
    if (this.recentEvents.seen(event.id)) return;
    // Only catalogue events are read (composition checks every @event names one), and only
    // once they parse; one that does not is dead-lettered.
    const definition = findEvent(topic, event.type);
    if (!definition) return;
    const where = { events: this.options.events, log: this.options.log, group: 'gateway', topic };
    const data = await readEvent(definition, event, where);
    if (data === undefined) return;
    if (topic === TOPICS.usersRelations) this.blocks.apply(event.type, data as { actorId: string; targetId: string });
    for (const field of this.schema?.fields.values() ?? []) {
      const { source } = field;
      if (source.kind === 'kafka' && source.topic === topic && source.type === event.type) {
        await this.dispatch(field, data, event.occurredAt);
      }
    }
  }

  private async onNotice(notice: { routingKey: string; data: unknown }): Promise<void> {
    const definition = findNotice(notice.routingKey);
    if (!definition) return;
    const data = readNotice(definition, notice.data, this.options.log);
    if (data === undefined) return;
    for (const field of this.schema?.fields.values() ?? []) {
      if (field.source.kind === 'notice' && field.source.routingKey === notice.routingKey) {
        await this.dispatch(field, data);
      }
    }
  }

  /** Queues an event behind the earlier events of its entity; waits while too many are in flight. */
  private async dispatch(field: EventField, data: unknown, occurredAt?: string): Promise<void> {
    if (!this.subscribers.get(field.name)?.size) return;
    const record = (data ?? {}) as Record<string, unknown>;
    const subject = record[field.subject];
    if (typeof subject !== 'string' || subject === '') {
      this.options.log.warn({ field: field.name, subject: field.subject }, 'event without its subject id; dropped');
      return;
    }
    while (this.inFlight >= (this.options.maxEventsInFlight ?? MAX_EVENTS_IN_FLIGHT))
      await new Promise<void>((resolve) => this.admissions.push(resolve));
    this.inFlight += 1;
    const previous = this.chains.get(subject) ?? Promise.resolve();
    const next = previous
      .then(() => this.deliver(field, record, subject))
      .then(() => {
        const age = occurredAt ? (Date.now() - Date.parse(occurredAt)) / 1000 : NaN;
        if (Number.isFinite(age)) metrics.subscriptionDelivery.observe({ field: field.name }, Math.max(0, age));
      })
      .catch((error: unknown) =>
        this.options.log.error({ err: error, field: field.name }, 'subscription event failed'),
      );
    this.chains.set(subject, next);
    void next.finally(() => {
      this.inFlight -= 1;
      if (this.chains.get(subject) === next) this.chains.delete(subject);
      this.admissions.shift()?.();
    });
  }

  /** Resolves the event once per sharing key and pushes it to every matching subscriber allowed to see it. */
  private async deliver(field: EventField, data: Record<string, unknown>, subject: string): Promise<void> {
    const groups = new Map<string, Subscriber[]>();
    for (const subscriber of this.subscribers.get(field.name) ?? []) {
      if (!matches(subscriber.plan, data)) continue;
      const group = groups.get(subscriber.plan.sharingKey);
      if (group) group.push(subscriber);
      else groups.set(subscriber.plan.sharingKey, [subscriber]);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const { plan, caller } = group[0]!;
        const resolving = this.options.execute(
          { query: plan.query, variables: { ...plan.variables, [SUBJECT_VARIABLE]: subject } },
          plan.asViewer ? caller : null,
        );
        const allowed = await Promise.all(group.map((subscriber) => this.mayReceive(subscriber, field, data)));
        const payload = await resolving;
        if (!deliverable(payload, plan.responseKey)) return;
        group.forEach((subscriber, i) => {
          if (allowed[i]) subscriber.stream.push(payload);
        });
      }),
    );
  }

  /** The subscriber's own rights: nothing from an author they blocked. */
  private async mayReceive(subscriber: Subscriber, field: EventField, data: Record<string, unknown>) {
    const viewer = subscriber.caller.viewer;
    const authorId = field.author ? data[field.author] : undefined;
    if (!viewer || typeof authorId !== 'string' || authorId === viewer.id) return true;
    try {
      return !(await this.blocks.hasBlocked(viewer.id, authorId, subscriber.caller));
    } catch (error) {
      // Unknown is treated as blocked: a missed event is better than one the viewer refused.
      this.options.log.warn({ err: error, viewer: viewer.id }, 'could not check blocks; event withheld');
      return false;
    }
  }

  /** Asks the users subgraph, as the viewer (their token), whether they blocked the author. */
  private async askHasBlocked(authorId: string, caller: Caller): Promise<boolean> {
    const result = await this.options.execute(
      { query: 'query ViewerHasBlocked($id: ID!) { user(id: $id) { viewerHasBlocked } }', variables: { id: authorId } },
      caller,
    );
    if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
    const user = (result.data as { user?: { viewerHasBlocked?: boolean } | null } | undefined)?.user;
    return user?.viewerHasBlocked === true;
  }
}

function matches(plan: SubscriptionPlan, data: Record<string, unknown>): boolean {
  for (const { argument, dataField } of plan.field.filters) {
    const wanted = plan.args[argument];
    if (wanted != null && String(data[dataField]) !== String(wanted)) return false;
  }
  return plan.ownerId === undefined || data[plan.field.owner!] === plan.ownerId;
}

/** A payload goes out unless the entity is simply not visible (null, with at most NOT_FOUND/FORBIDDEN). */
function deliverable(payload: Payload, responseKey: string): boolean {
  if (payload.data?.[responseKey] != null) return true;
  const codes = (payload.errors ?? []).map((e) => String(e.extensions?.code));
  return codes.some((c) => !HIDDEN.has(c));
}

/** A transport's limit on subscriptions open at once over one connection. */
export const tooManySubscriptions = (max: number) =>
  apiError('RATE_LIMITED', `At most ${max} subscriptions at once on one connection`);

const getOnlySubscribes = (operation: string) =>
  new GraphQLError(`Server-sent events over GET only subscribe; send a ${operation} as a POST`, {
    extensions: { code: 'BAD_REQUEST', http: { status: 405, headers: new Map([['allow', 'POST']]) } },
  });

const notServing = () =>
  new GraphQLError('The gateway is starting or shutting down', { extensions: { code: 'SERVICE_UNAVAILABLE' } });

/** The last `size` event ids: Kafka delivers at least once, subscribers should see an event once. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly size: number) {}

  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value!);
    return false;
  }
}
