import { buildSchema } from 'graphql';
import { readEventCatalog } from '../src/subscriptions/event-directive';

/** Reading `@event` from a supergraph: what it means, and what it refuses. */
describe('@event directive', () => {
  const sdl = (subscriptionFields: string) => /* GraphQL */ `
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
    type Query { post(id: ID!): Post  picture(id: ID!): Picture }
    type Post { id: ID! }
    type Picture { id: ID! }
    type Orphan { id: ID! }
    type Subscription { ${subscriptionFields} }
  `;
  const read = (fields: string) => {
    const text = sdl(fields);
    return readEventCatalog(text, buildSchema(text));
  };

  it('reads the source, subject, filters (with renames), author and owner', () => {
    const { fields, problems } = read(`
      postAdded(panelId: ID, board: ID): Post!
        @event(topic: "forum.posts", type: "post.created", filter: ["panelId", "board: boardId"], author: "authorId")
      pictureProcessed(pictureId: ID): Picture!
        @event(exchange: "realtime", routingKey: "picture.processed", subject: "pictureId", filter: ["pictureId"], owner: "ownerId")
    `);
    expect(problems).toEqual([]);
    expect(fields.get('postAdded')).toEqual({
      name: 'postAdded',
      source: { kind: 'kafka', topic: 'forum.posts', type: 'post.created' },
      subject: 'id',
      filters: [
        { argument: 'panelId', dataField: 'panelId' },
        { argument: 'board', dataField: 'boardId' },
      ],
      author: 'authorId',
      owner: undefined,
      entityQuery: 'post',
    });
    expect(fields.get('pictureProcessed')).toMatchObject({
      source: { kind: 'notice', routingKey: 'picture.processed' },
      subject: 'pictureId',
      owner: 'ownerId',
      entityQuery: 'picture',
    });
  });

  it('reads an owner without filter arguments as "always my own"', () => {
    const { fields, problems } = read(`mine: Post! @event(topic: "t", type: "x", owner: "recipientId")`);
    expect(problems).toEqual([]);
    expect(fields.get('mine')).toMatchObject({ filters: [], owner: 'recipientId', entityQuery: 'post' });
  });

  it.each([
    ['no directive', 'a: Post!', 'Subscription.a has no @event directive'],
    [
      'two sources',
      'a: Post! @event(topic: "t", type: "x", exchange: "realtime", routingKey: "k")',
      'Subscription.a: name either a Kafka topic and type, or a RabbitMQ exchange and routingKey',
    ],
    [
      'half a source',
      'a: Post! @event(topic: "t")',
      'Subscription.a: name either a Kafka topic and type, or a RabbitMQ exchange and routingKey',
    ],
    [
      'another exchange',
      'a: Post! @event(exchange: "jobs", routingKey: "k")',
      'Subscription.a: only the "realtime" exchange is consumed',
    ],
    [
      'a filter naming no argument',
      'a(panelId: ID): Post! @event(topic: "t", type: "x", filter: ["board"])',
      'Subscription.a: filter names no argument "board"',
    ],
    [
      'a type no Query field loads by id',
      'a: Orphan! @event(topic: "t", type: "x")',
      'Subscription.a: needs exactly one Query field Orphan(id:) to resolve payloads',
    ],
  ])('refuses %s, saying why', (_case, field, problem) => {
    const { fields, problems } = read(`${field} ok: Post! @event(topic: "t", type: "x")`);
    expect(problems).toEqual([problem]);
    expect([...fields.keys()]).toEqual(['ok']);
  });
});
