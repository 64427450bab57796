import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { startEmbeddedStack, type EmbeddedStack } from '@agora/embedded/stack';
import { gql, sleep, waitFor as poll } from '@agora/kit/testing';
import { wsClient, wsSubscribe, type Received } from '../../../gateway/test/subscription-clients';

const waitFor = <T>(what: string, check: () => T | Promise<T>, timeoutMs?: number) =>
  poll(what, check, timeoutMs) as Promise<NonNullable<T>>;

interface User {
  id: string;
  email: string;
  bearer: string;
}

const PUBLIC_URL = 'http://agora.test';
const WINDOW_MS = 400;
const MAIL_ENV = {
  PUBLIC_URL,
  MAIL_BATCH_WINDOW_MS: String(WINDOW_MS),
  MAIL_DISPATCH_INTERVAL_MS: '50',
};

/**
 * Notifications in the embedded stack, end to end through the gateway: accounts made by
 * auth, the verification e-mail and its link, replies and follows written through the
 * other subgraphs, notificationAdded over graphql-ws, and e-mail as .eml files in the
 * data folder (embedded mode's mail).
 */
describe('notifications through the gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agora-notifications-e2e-'));
  const mailDir = join(dataDir, 'mail');
  // A stand-in for the built web app (the browser test opens the real one): the gateway
  // serves index.html at every app path, which is what makes an e-mailed link open.
  const webRoot = join(dataDir, 'web');
  mkdirSync(webRoot);
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Agora</title><div id="root"></div>');
  const saved: Record<string, string | undefined> = {};
  const clients: { dispose(): unknown }[] = [];
  let stack: EmbeddedStack;
  let url: string;

  beforeAll(async () => {
    for (const [key, value] of Object.entries({
      ...MAIL_ENV,
      WEB_ROOT: webRoot,
      SMTP_URL: undefined,
      MAIL_DIR: undefined,
    })) {
      saved[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    stack = await startEmbeddedStack({ dataDir, gatewayPort: 0, subgraphPort: () => 0 });
    url = stack.gateway.graphqlUrl;
  }, 90_000);
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stack?.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const call = async <D>(query: string, variables: Record<string, unknown> = {}, user?: User) => {
    const res = await gql<D>(url, query, variables, user ? { authorization: user.bearer } : {});
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const signUp = async (handle: string): Promise<User> => {
    const email = `${handle}@example.com`;
    const { register } = await call<{ register: { accessToken: string; user: { id: string } } }>(
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
      { input: { email, password: 'Correct-horse-battery-9', handle } },
    );
    return { id: register.user.id, email, bearer: `Bearer ${register.accessToken}` };
  };
  /** The .eml files written so far, parsed. */
  const mails = async () => {
    let names: string[] = [];
    try {
      names = readdirSync(mailDir).filter((n) => n.endsWith('.eml'));
    } catch {
      return [];
    }
    return Promise.all(
      names.sort().map(async (name) => {
        const mail = await simpleParser(readFileSync(join(mailDir, name)));
        const to = Array.isArray(mail.to) ? mail.to[0]!.text : (mail.to?.text ?? '');
        return { name, to, subject: mail.subject ?? '', text: mail.text ?? '' };
      }),
    );
  };
  const mailsTo = async (user: User) => (await mails()).filter((m) => m.to === user.email);
  const me = (user: User) =>
    call<{
      me: {
        unreadNotificationCount: number;
        notificationSettings: { emailStatus: string };
        notifications: { edges: { node: { kind: string; summary: string } }[] };
      };
    }>(
      `{ me { unreadNotificationCount notificationSettings { emailStatus }
             notifications(first: 20) { edges { node { kind summary } } } } }`,
      {},
      user,
    ).then((d) => d.me);
  const subscribe = (user: User): Received => {
    const client = wsClient(url, user.bearer);
    clients.push(client);
    return wsSubscribe(
      client,
      `subscription { notificationAdded { id kind summary actor { handle } comment { body } post { title } } }`,
    );
  };

  it('verifies the address by the e-mailed link, then tells of a reply live and by one e-mail with a working link', async () => {
    const ada = await signUp('note_ada');
    const bob = await signUp('note_bob');

    // The verification e-mail is the only one an unverified address gets.
    const verification = await waitFor('the verification e-mail', async () => (await mailsTo(ada))[0], 20_000);
    expect(verification.subject).toBe('Confirm your e-mail address for Agora');
    const link = new URL(/https?:\/\/\S+\/verify-email\?token=\S+/.exec(verification.text)![0]);
    expect(link.origin).toBe(PUBLIC_URL);
    expect((await me(ada)).notificationSettings.emailStatus).toBe('UNVERIFIED');
    expect((await me(ada)).notifications.edges.map((e) => e.node.kind)).toEqual(['WELCOME']);

    const live = subscribe(ada);
    const bobs = subscribe(bob);
    // Subscriptions start asynchronously: a follow (in-app, never e-mailed: not verified) shows when they are live.
    await waitFor('the subscription', async () => {
      if (live.results.length > 0) return true;
      await call('mutation($id: ID!) { unfollow(userId: $id) { id } }', { id: ada.id }, bob);
      await call('mutation($id: ID!) { follow(userId: $id) { id } }', { id: ada.id }, bob);
      await sleep(300);
      return live.results.length > 0;
    });
    expect(live.results[0]).toMatchObject({
      data: { notificationAdded: { kind: 'NEW_FOLLOWER', summary: 'note_bob started following you' } },
    });
    // Bob's subscription is live too (a follow by Ada reaches it) before anything is asserted it never saw.
    await waitFor("bob's subscription", async () => {
      if (bobs.results.length > 0) return true;
      await call('mutation($id: ID!) { unfollow(userId: $id) { id } }', { id: bob.id }, ada);
      await call('mutation($id: ID!) { follow(userId: $id) { id } }', { id: bob.id }, ada);
      await sleep(300);
      return bobs.results.length > 0;
    });

    // Verifying by the link works signed out (the web app's landing page calls this).
    const token = link.searchParams.get('token')!;
    expect(await call('mutation($t: String!) { verifyEmail(token: $t) }', { t: token })).toEqual({ verifyEmail: true });
    await waitFor('VERIFIED', async () => (await me(ada)).notificationSettings.emailStatus === 'VERIFIED');

    const { createPanel } = await call<{ createPanel: { id: string } }>(
      'mutation { createPanel(input: { name: "Notifications e2e" }) { id } }',
      {},
      ada,
    );
    const { createPost } = await call<{ createPost: { id: string } }>(
      'mutation($p: ID!) { createPost(input: { panelId: $p, title: "Gardening", body: "Tomatoes" }) { id } }',
      { p: createPanel.id },
      ada,
    );
    const { addComment: mine } = await call<{ addComment: { id: string } }>(
      'mutation($p: ID!) { addComment(input: { postId: $p, body: "Mine are red" }) { id } }',
      { p: createPost.id },
      ada,
    );
    const before = live.results.length;
    const { addComment: reply } = await call<{ addComment: { id: string } }>(
      'mutation($p: ID!, $c: ID) { addComment(input: { postId: $p, parentId: $c, body: "Mine are yellow!" }) { id } }',
      { p: createPost.id, c: mine.id },
      bob,
    );
    await waitFor('the reply, live', () => live.results.length > before);
    expect(live.results.at(-1)).toEqual({
      data: {
        notificationAdded: {
          id: expect.any(String),
          kind: 'REPLY',
          summary: 'note_bob replied to your comment',
          actor: { handle: 'note_bob' },
          comment: { body: 'Mine are yellow!' },
          post: { title: 'Gardening' },
        },
      },
    });
    expect((await me(ada)).unreadNotificationCount).toBe(3);

    const replyMail = await waitFor('the reply e-mail', async () => (await mailsTo(ada))[1], 20_000);
    expect(replyMail.subject).toBe('note_bob replied to your comment');
    expect(replyMail.text).toContain('Mine are yellow!');
    const replyLink = new URL(`${PUBLIC_URL}/post/${createPost.id}#comment-${reply.id}`);
    expect(replyMail.text).toContain(replyLink.href);
    // The link works: the web app is served at its path, and the post there has the reply.
    const page = await fetch(`${stack.gateway.url}${replyLink.pathname}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const { post } = await call<{ post: { comments: { edges: { node: { id: string } }[] } } }>(
      'query($id: ID!) { post(id: $id) { comments(first: 20) { edges { node { id } } } } }',
      { id: createPost.id },
    );
    expect(post.comments.edges.map((e) => e.node.id)).toContain(reply.id);

    // Exactly one e-mail for the reply; the follow before verification was never e-mailed.
    await sleep(WINDOW_MS * 3);
    expect((await mailsTo(ada)).map((m) => m.subject)).toEqual([
      'Confirm your e-mail address for Agora',
      'note_bob replied to your comment',
    ]);
    // Bob's own subscription, live since Ada's follow reached it, saw only his own notifications
    // (that follow), none of Ada's.
    expect(bobs.results.length).toBeGreaterThan(0);
    expect(bobs.results).toEqual(
      bobs.results.map(() => ({
        data: {
          notificationAdded: expect.objectContaining({
            kind: 'NEW_FOLLOWER',
            summary: 'note_ada started following you',
          }) as unknown,
        },
      })),
    );
  }, 90_000);
});
