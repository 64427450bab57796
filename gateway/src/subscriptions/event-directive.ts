import {
  buildASTSchema,
  getDirectiveValues,
  getNamedType,
  isObjectType,
  parse,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';

/**
 * The `@event` directive: on a Subscription field of a subgraph's SDL it names the field's
 * event source. Subgraphs link this spec and keep the directive in the supergraph with
 * `@composeDirective(name: "@event")`; the gateway reads it from the supergraph. v1.1 adds
 * `role`; composition keeps the newest version any subgraph links, so v1.0 subgraphs compose.
 */
export const EVENT_SPEC_URL = 'https://agora.dev/event/v1.1';
export const EVENT_DIRECTIVE = 'event';

/** The only RabbitMQ exchange the notices port reads: `realtime`. */
export const NOTICES_EXCHANGE = 'realtime';

export type EventSource = { kind: 'kafka'; topic: string; type: string } | { kind: 'notice'; routingKey: string };

/** One subscription field and how its events reach subscribers. */
export interface EventField {
  name: string;
  source: EventSource;
  /** Event data field that holds the id of the entity the payload is about. */
  subject: string;
  /** Arguments that filter events: a given (non-null) argument must equal `data[dataField]`. */
  filters: { argument: string; dataField: string }[];
  /** Event data field naming the author: subscribers who blocked the author never get it. */
  author?: string;
  /**
   * Event data field naming the owner: with no filter argument given (or none declared: the
   * field is always "my own", e.g. notificationAdded) the subscription means "my own", which
   * needs a signed-in subscriber and matches `data[owner] == viewer.id`.
   */
  owner?: string;
  /** A role subscribers must have (FORBIDDEN otherwise); their payloads are resolved as them. */
  role?: string;
  /** The Query field that loads the payload's entity by id, e.g. `post(id:)`. */
  entityQuery: string;
}

export interface EventCatalog {
  fields: Map<string, EventField>;
  /** Subscription fields whose directive is missing or unusable, with the reason. */
  problems: string[];
}

interface DirectiveArgs {
  topic?: string;
  type?: string;
  exchange?: string;
  routingKey?: string;
  subject: string;
  filter?: string[];
  author?: string;
  owner?: string;
  role?: string;
}

/** Reads every Subscription field's `@event` from the supergraph, checked against the API schema. */
export function readEventCatalog(supergraphSdl: string, apiSchema: GraphQLSchema): EventCatalog {
  const fields = new Map<string, EventField>();
  const problems: string[] = [];
  const subscription = apiSchema.getSubscriptionType();
  if (!subscription) return { fields, problems };
  const supergraph = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const directive = supergraph.getDirective(EVENT_DIRECTIVE);
  const composed = supergraph.getSubscriptionType()?.getFields() ?? {};
  for (const field of Object.values(subscription.getFields())) {
    const node = composed[field.name]?.astNode;
    const args = directive && node ? (getDirectiveValues(directive, node) as DirectiveArgs | undefined) : undefined;
    if (!args) {
      problems.push(`Subscription.${field.name} has no @${EVENT_DIRECTIVE} directive`);
      continue;
    }
    try {
      fields.set(field.name, eventField(field, args, apiSchema));
    } catch (error) {
      problems.push(`Subscription.${field.name}: ${(error as Error).message}`);
    }
  }
  return { fields, problems };
}

function eventField(field: GraphQLField<unknown, unknown>, args: DirectiveArgs, apiSchema: GraphQLSchema): EventField {
  const filters = (args.filter ?? []).map((entry) => {
    const [argument = '', dataField = argument] = entry.split(':').map((part) => part.trim());
    if (!field.args.some((arg) => arg.name === argument)) throw new Error(`filter names no argument "${argument}"`);
    return { argument, dataField };
  });
  return {
    name: field.name,
    source: eventSource(args),
    subject: args.subject,
    filters,
    author: args.author,
    owner: args.owner,
    role: args.role,
    entityQuery: entityQueryFor(field, apiSchema),
  };
}

function eventSource(args: DirectiveArgs): EventSource {
  if (args.topic && args.type && !args.exchange && !args.routingKey) {
    return { kind: 'kafka', topic: args.topic, type: args.type };
  }
  if (args.exchange && args.routingKey && !args.topic && !args.type) {
    if (args.exchange !== NOTICES_EXCHANGE) throw new Error(`only the "${NOTICES_EXCHANGE}" exchange is consumed`);
    return { kind: 'notice', routingKey: args.routingKey };
  }
  throw new Error('name either a Kafka topic and type, or a RabbitMQ exchange and routingKey');
}

/** The one Query field returning the payload's type that takes an `id` argument. */
function entityQueryFor(field: GraphQLField<unknown, unknown>, apiSchema: GraphQLSchema): string {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) throw new Error('must return an object type');
  const candidates = Object.values(apiSchema.getQueryType()?.getFields() ?? {}).filter(
    (query) => getNamedType(query.type) === type && query.args.some((arg) => arg.name === 'id'),
  );
  if (candidates.length !== 1) throw new Error(`needs exactly one Query field ${type.name}(id:) to resolve payloads`);
  return candidates[0]!.name;
}
