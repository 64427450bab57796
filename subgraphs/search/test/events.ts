import { randomUUID } from 'node:crypto';
import {
  commentCreated,
  commentDeleted,
  commentUpdated,
  pictureDeleted,
  pictureProcessedEvent,
  pictureUploaded,
  postCreated,
  postDeleted,
  postUpdated,
  userBlocked,
  userProfileUpdated,
  userRegistered,
  userUnblocked,
  type EventEnvelope,
} from '@agora/contracts/events';
import type { EventLog } from '@agora/kit/events/port';

/**
 * Builds the events the other services publish, through the catalogue, and publishes them:
 * search is fed nothing else.
 */
export class Producers {
  readonly published: { topic: string; event: EventEnvelope }[] = [];
  private clock = Math.floor(Date.now() / 1000) * 1000;

  constructor(private readonly events: EventLog) {}

  /**
   * A strictly increasing time from now on, a minute apart, so recency orders results
   * predictably (and edits come after the registrations auth stamps with the real time).
   */
  tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  async send(topic: string, ...events: EventEnvelope[]): Promise<void> {
    for (const event of events) this.published.push({ topic, event });
    await this.events.publish(topic, events);
  }

  async user(handle: string, displayName = handle): Promise<string> {
    const userId = randomUUID();
    await this.send('auth.users', userRegistered.build({ subject: userId, data: { userId, handle, displayName } }));
    return userId;
  }

  async profile(userId: string, handle: string, displayName: string, bio: string): Promise<void> {
    const at = this.tick();
    await this.send(
      'users.profiles',
      userProfileUpdated.build({
        subject: userId,
        data: { userId, handle, displayName, bio, createdAt: '2025-06-01T00:00:00.000Z', updatedAt: at },
      }),
    );
  }

  async post(authorId: string, fields: { title: string; body: string; tags?: string[] }): Promise<Post> {
    const at = this.tick();
    const post: Post = {
      id: randomUUID(),
      panelId: randomUUID(),
      authorId,
      title: fields.title,
      body: fields.body,
      tags: fields.tags ?? [],
      createdAt: at,
      updatedAt: at,
    };
    await this.send('forum.posts', postCreated.build({ subject: post.id, actorId: authorId, data: post }));
    return post;
  }

  async editPost(post: Post, changes: Partial<Pick<Post, 'title' | 'body' | 'tags'>>): Promise<Post> {
    Object.assign(post, changes, { updatedAt: this.tick() });
    await this.send('forum.posts', postUpdated.build({ subject: post.id, data: { ...post } }));
    return post;
  }

  async deletePost(post: Post): Promise<void> {
    await this.send('forum.posts', postDeleted.build({ subject: post.id, data: post }));
  }

  async comment(authorId: string, postId: string, body: string): Promise<Comment> {
    const at = this.tick();
    const comment: Comment = { id: randomUUID(), postId, authorId, parentId: null, body, createdAt: at, updatedAt: at };
    await this.send('comments.comments', commentCreated.build({ subject: comment.id, data: comment }));
    return comment;
  }

  async editComment(comment: Comment, body: string): Promise<void> {
    Object.assign(comment, { body, updatedAt: this.tick() });
    await this.send('comments.comments', commentUpdated.build({ subject: comment.id, data: { ...comment } }));
  }

  async deleteComment(comment: Comment): Promise<void> {
    await this.send('comments.comments', commentDeleted.build({ subject: comment.id, data: comment }));
  }

  /** An upload (PROCESSING), then, unless `status` is null, its processing outcome. */
  async picture(
    ownerId: string,
    title: string,
    tags: string[],
    status: 'READY' | 'FAILED' | null = 'READY',
  ): Promise<Picture> {
    const picture: Picture = {
      id: randomUUID(),
      ownerId,
      title,
      tags,
      contentType: 'image/png',
      width: 10,
      height: 10,
      byteSize: 100,
      status: 'PROCESSING',
      createdAt: this.tick(),
    };
    await this.send('pictures.pictures', pictureUploaded.build({ subject: picture.id, data: picture }));
    if (status) {
      picture.status = status;
      await this.send('pictures.pictures', pictureProcessedEvent.build({ subject: picture.id, data: { ...picture } }));
    }
    return picture;
  }

  async deletePicture(picture: Picture): Promise<void> {
    await this.send('pictures.pictures', pictureDeleted.build({ subject: picture.id, data: picture }));
  }

  async block(actorId: string, targetId: string, unblock = false): Promise<void> {
    const definition = unblock ? userUnblocked : userBlocked;
    await this.send('users.relations', definition.build({ subject: actorId, data: { actorId, targetId } }));
  }

  /** Every event published so far, again, in the same order (a redelivery of the whole history). */
  async redeliverAll(): Promise<void> {
    for (const { topic, event } of [...this.published]) await this.events.publish(topic, [event]);
  }
}

export interface Post {
  id: string;
  panelId: string;
  authorId: string;
  title: string;
  body: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Comment {
  id: string;
  postId: string;
  authorId: string;
  parentId: string | null;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface Picture {
  id: string;
  ownerId: string;
  title: string;
  tags: string[];
  contentType: string;
  width: number;
  height: number;
  byteSize: number;
  status: 'PROCESSING' | 'READY' | 'FAILED';
  createdAt: string;
}

const WORDS = [
  'kubernetes',
  'sourdough',
  'marathon',
  'telescope',
  'violin',
  'gardening',
  'bicycle',
  'espresso',
  'glacier',
  'robotics',
  'origami',
  'volcano',
  'chess',
  'pottery',
  'sailing',
  'quantum',
];
const TAGS = ['tech', 'food', 'sport', 'music', 'science', 'craft', 'travel', 'nature'];

/**
 * A small world with everything the index must get right: people (some editing their
 * profile), posts with tags (some edited, some deleted), comments (some on deleted posts,
 * some deleted), pictures (ready, failed, still processing, deleted) and blocks. Built from
 * a seed, so two runs make the same texts.
 */
export async function seedWorld(p: Producers, scale = 1): Promise<{ people: string[]; posts: Post[] }> {
  // mulberry32: small, good enough, and the same sequence on every run.
  let state = 7;
  const next = (m: number) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * m) | 0;
  };
  const word = () => WORDS[next(WORDS.length)]!;
  const people: string[] = [];
  for (let i = 0; i < 12 * scale; i++) people.push(await p.user(`person${i}`, `Person ${word()} ${i}`));
  for (let i = 0; i < 4 * scale; i++) {
    await p.profile(people[i]!, `person${i}`, `Person ${i}`, `I like ${word()} and ${word()}`);
  }
  const posts: Post[] = [];
  for (let i = 0; i < 60 * scale; i++) {
    posts.push(
      await p.post(people[next(people.length)]!, {
        title: `${word()} ${word()} notes ${i}`,
        body: `Thoughts on ${word()}, ${word()} and ${word()}. <em>${word()}</em> & more ${i}.`,
        tags: [TAGS[next(TAGS.length)]!, TAGS[next(TAGS.length)]!],
      }),
    );
  }
  const comments: Comment[] = [];
  for (let i = 0; i < 40 * scale; i++) {
    const post = posts[next(posts.length)]!;
    comments.push(await p.comment(people[next(people.length)]!, post.id, `A reply about ${word()} and ${word()}`));
  }
  for (let i = 0; i < 16 * scale; i++) {
    const status = (['READY', 'READY', 'FAILED', null] as const)[i % 4]!;
    const picture = await p.picture(
      people[next(people.length)]!,
      `${word()} photo ${i}`,
      [TAGS[next(TAGS.length)]!],
      status,
    );
    if (i % 7 === 6) await p.deletePicture(picture);
  }
  for (let i = 0; i < 10 * scale; i++)
    await p.editPost(posts[i * 3]!, { title: `${word()} revised ${i}`, tags: [TAGS[i % 8]!] });
  for (let i = 0; i < 6 * scale; i++) await p.deletePost(posts[i * 5 + 1]!);
  for (let i = 0; i < 6 * scale; i++) await p.editComment(comments[i * 2]!, `Edited: ${word()} ${word()}`);
  for (let i = 0; i < 4 * scale; i++) await p.deleteComment(comments[i * 3 + 1]!);
  await p.block(people[0]!, people[1]!);
  await p.block(people[0]!, people[2]!);
  await p.block(people[3]!, people[0]!);
  await p.block(people[0]!, people[2]!, true);
  return { people, posts };
}

/** Queries that exercise every part of search, for comparing two indexes. */
export const PROBES: { q: string; types?: string[]; tags?: string[]; viewer?: number }[] = [
  ...WORDS.map((q) => ({ q })),
  { q: '"gardening notes"' },
  { q: 'violin or chess' },
  { q: 'espresso -notes' },
  { q: 'glac' },
  { q: 'kubernetis' },
  { q: 'telescop', types: ['POST'] },
  { q: 'notes', tags: ['tech'] },
  { q: 'photo', types: ['PICTURE'], tags: ['nature'] },
  { q: 'reply', types: ['COMMENT'] },
  { q: 'person', types: ['USER'] },
  { q: 'notes', viewer: 0 },
  { q: 'reply', viewer: 3 },
  { q: 'revised' },
  { q: 'edited' },
];
