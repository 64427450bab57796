import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventLog } from '@agora/kit/events/port';
import type { Infra } from '@agora/kit/infra';
import { startServiceForTest, type ServiceUnderTest } from '@agora/kit/testing';
import type { Viewer } from '@agora/kit/viewer';
import { forumService } from '../src/service';

export const newUser = (roles: Viewer['roles'] = ['user']): Viewer => ({ id: randomUUID(), roles });

export interface PostView {
  id: string;
  title: string;
  body: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  author: { id: string };
  panel: { id: string; postCount: number };
}

export const POST_FIELDS = 'id title body tags createdAt updatedAt author { id } panel { id postCount }';

/** The forum subgraph alone, on a free port, called as any viewer with real signed tokens. */
export class ForumUnderTest {
  private constructor(private readonly under: ServiceUnderTest) {}

  static async start(options: { infra?: Infra; dataDir?: string } = {}): Promise<ForumUnderTest> {
    return new ForumUnderTest(await startServiceForTest(forumService, options));
  }

  get infra(): Infra {
    return this.under.infra;
  }

  get url(): string {
    return this.under.service.graphqlUrl;
  }

  call<D = Record<string, unknown>>(viewer: Viewer | null, query: string, variables?: Record<string, unknown>) {
    return this.under.call<D>(viewer, query, variables);
  }

  createPanel(viewer: Viewer | null, name: string, description?: string) {
    return this.call<{ createPanel: { id: string; slug: string; name: string; createdBy: { id: string } } }>(
      viewer,
      'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id slug name createdBy { id } } }',
      { input: { name, description } },
    );
  }

  createPost(viewer: Viewer | null, input: { panelId: string; title: string; body: string; tags?: string[] }) {
    return this.call<{ createPost: PostView }>(
      viewer,
      `mutation($input: CreatePostInput!) { createPost(input: $input) { ${POST_FIELDS} } }`,
      { input },
    );
  }

  updatePost(viewer: Viewer | null, id: string, input: { title?: string; body?: string; tags?: string[] }) {
    return this.call<{ updatePost: PostView }>(
      viewer,
      `mutation($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { ${POST_FIELDS} } }`,
      { id, input },
    );
  }

  deletePost(viewer: Viewer | null, id: string) {
    return this.call<{ deletePost: boolean }>(viewer, 'mutation($id: ID!) { deletePost(id: $id) }', { id });
  }

  async post(viewer: Viewer | null, id: string): Promise<PostView | null> {
    const res = await this.call<{ post: PostView | null }>(
      viewer,
      `query($id: ID!) { post(id: $id) { ${POST_FIELDS} } }`,
      {
        id,
      },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.post;
  }

  /** Titles of a panel's posts as the viewer sees them, and its postCount. */
  async panelPosts(viewer: Viewer | null, panelId: string, first = 100) {
    const res = await this.call<{
      panel: { postCount: number; posts: { edges: { node: { title: string } }[] } };
    }>(
      viewer,
      'query($id: ID, $first: Int) { panel(id: $id) { postCount posts(first: $first) { edges { node { title } } } } }',
      {
        id: panelId,
        first,
      },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return { count: res.data!.panel.postCount, titles: res.data!.panel.posts.edges.map((e) => e.node.title) };
  }

  /** Titles of a user's posts, through the User entity the forum contributes `posts` to. */
  async userPosts(viewer: Viewer | null, userId: string): Promise<string[]> {
    const res = await this.call<{ _entities: { posts: { edges: { node: { title: string } }[] } }[] }>(
      viewer,
      'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { posts(first: 100) { edges { node { title } } } } } }',
      { reps: [{ __typename: 'User', id: userId }] },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!._entities[0]!.posts.edges.map((e) => e.node.title);
  }

  close() {
    return this.under.close();
  }
}

/** Collects the events published on `topics` from now on. */
export async function collectEvents(events: EventLog, topics: string[]) {
  const seen: EventEnvelope[] = [];
  const consumer = await events.subscribe({
    group: `test-${randomUUID()}`,
    topics,
    handle: async (event) => void seen.push(event),
  });
  return { seen, stop: () => consumer.stop() };
}
