import { checkEventDirectives } from '../event-check';

/** Composition refuses `@event` directives that the event catalogue does not back. */
describe('composition: @event against the event catalogue', () => {
  const sdl = (directive: string) =>
    `type Subscription { postAdded(panelId: ID): Post ${directive} }\ntype Post { id: ID! }`;

  it('accepts a directive naming a catalogue event and fields of its payload', () => {
    expect(
      checkEventDirectives(
        'forum',
        sdl('@event(topic: "forum.posts", type: "post.created", filter: ["panelId"], author: "authorId")'),
      ),
    ).toEqual([]);
    expect(
      checkEventDirectives(
        'pictures',
        sdl('@event(exchange: "realtime", routingKey: "picture.processed", subject: "pictureId", owner: "ownerId")'),
      ),
    ).toEqual([]);
  });

  it('refuses an event the catalogue does not have', () => {
    expect(checkEventDirectives('forum', sdl('@event(topic: "forum.posts", type: "post.liked")'))).toEqual([
      expect.stringContaining('event "post.liked" on topic "forum.posts", which is not in the event catalogue'),
    ]);
    expect(checkEventDirectives('forum', sdl('@event(exchange: "realtime", routingKey: "post.liked")'))).toHaveLength(
      1,
    );
  });

  it('refuses a data field the payload does not have', () => {
    expect(
      checkEventDirectives(
        'forum',
        sdl('@event(topic: "forum.posts", type: "post.created", filter: ["panelId:boardId"], author: "writerId")'),
      ),
    ).toEqual([expect.stringContaining('"boardId"'), expect.stringContaining('"writerId"')]);
  });
});
