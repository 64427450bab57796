import { randomUUID } from 'node:crypto';
import { commentCreated, type EventEnvelope } from '@agora/contracts/events';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import {
  collectDeadLetters,
  sleep,
  SmtpReceiver,
  startServiceForTest,
  waitFor as poll,
  type ReceivedMail,
  type ServiceUnderTest,
} from '@agora/kit/testing';
import { nextDigestAt } from '../src/domain/kinds';
import type { MailWorker } from '../src/mail/worker';
import type { NotificationResources } from '../src/resources';
import { createNotificationsService } from '../src/service';
import { world } from './harness';

/** waitFor, typed as what it resolves with: the first truthy value. */
const waitFor = <T>(what: string, check: () => T | Promise<T>, timeoutMs?: number) =>
  poll(what, check, timeoutMs) as Promise<NonNullable<T>>;

const PUBLIC_URL = 'http://agora.test';
const WINDOW_MS = 600;
const BACKOFF_MS = 150;
const MAX_ATTEMPTS = 4;

interface Listed {
  unreadNotificationCount: number;
  notifications: {
    edges: {
      node: {
        id: string;
        kind: string;
        summary: string;
        excerpt: string | null;
        path: string;
        read: boolean;
        actor: { id: string } | null;
        comment: { id: string } | null;
        post: { id: string } | null;
        picture: { id: string } | null;
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
  notificationSettings: {
    dailyDigest: boolean;
    emailStatus: string;
    kinds: { kind: string; inApp: boolean; email: boolean }[];
  };
}

const ME = `query($r: [_Any!]!, $first: Int, $after: String, $unreadOnly: Boolean) {
  _entities(representations: $r) { ... on User {
    unreadNotificationCount
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      edges { node { id kind summary excerpt path read actor { id } comment { id } post { id } picture { id } } }
      pageInfo { hasNextPage endCursor }
    }
    notificationSettings { dailyDigest emailStatus kinds { kind inApp email } }
  } }
}`;

const SETTINGS = `mutation($input: NotificationSettingsInput!) {
  updateNotificationSettings(input: $input) { dailyDigest kinds { kind inApp email } }
}`;

/** The notifications subgraph alone: fed other services' events, mailing a real SMTP server. */
describe('notifications subgraph', () => {
  const receiver = new SmtpReceiver();
  let infra: Infra;
  let subject: ServiceUnderTest;
  let resources: NotificationResources;
  let worker: MailWorker;
  let w: ReturnType<typeof world>;
  const added: EventEnvelope[] = [];

  beforeAll(async () => {
    await receiver.start();
    infra = embeddedInfra();
    w = world(infra.events);
    const service = createNotificationsService({
      settings: {
        publicUrl: PUBLIC_URL,
        smtpUrl: receiver.url,
        batchWindowMs: WINDOW_MS,
        dispatchIntervalMs: 50,
        maxAttempts: MAX_ATTEMPTS,
        backoffMs: BACKOFF_MS,
        smtpTimeoutMs: 2_000,
        mailWorker: 'inline',
      },
      onStarted: (internals) => {
        resources = internals.resources;
        worker = internals.worker!;
      },
    });
    subject = await startServiceForTest(service, { infra });
    await infra.events.subscribe({
      group: 'test-notification-added',
      topics: ['notifications.notifications'],
      fromBeginning: true,
      handle: async (event) => void added.push(event),
    });
  }, 60_000);

  afterAll(async () => {
    await subject?.close();
    await infra?.close();
    await receiver.stop();
  });

  const as = (id: string | null, query: string, variables?: Record<string, unknown>) =>
    subject.call(id ? { id, roles: ['user'] } : null, query, variables);
  const me = async (id: string, variables: Record<string, unknown> = {}) => {
    const res = await as(id, ME, { r: [{ __typename: 'User', id }], first: 50, ...variables });
    expect(res.errors).toBeUndefined();
    return (res.data as { _entities: Listed[] })._entities[0]!;
  };
  const listOf = async (id: string) => (await me(id)).notifications.edges.map((e) => e.node);
  const waitForList = (id: string, count: number) =>
    waitFor(`${count} notification(s)`, async () => {
      const list = await listOf(id);
      return list.length >= count ? list : undefined;
    });
  /** Mail to `address` other than the verification e-mail. */
  const mailTo = (address: string) => receiver.to(address).filter((m) => !m.subject.startsWith('Confirm'));
  const waitForMail = (address: string, count: number, what = `${count} e-mail(s) to ${address}`) =>
    waitFor(what, () => (mailTo(address).length >= count ? mailTo(address) : undefined), 15_000);
  const unsubscribeToken = (mail: ReceivedMail) =>
    decodeURIComponent(/\/unsubscribe\?token=([^\s>"]+)/.exec(mail.text)![1]!);

  it('dead-letters an event that does not fit the catalogue, with its reason', async () => {
    const letters = await collectDeadLetters(infra.events, 'notifications');
    const unfit = { ...w.commentEvent(randomUUID(), randomUUID(), 'x'), data: { id: randomUUID(), body: 'no post' } };
    await w.publish(commentCreated.topic, unfit as EventEnvelope);
    await waitFor('the dead letter', () => letters.length === 1);
    expect(letters[0]).toMatchObject({ group: 'notifications', topic: 'comments.comments', event: { id: unfit.id } });
    expect(letters[0]!.reason).toMatch(/postId/);
  });

  it('tells the author of the comment replied to once, and e-mails them the reply with a link to it', async () => {
    const ada = await w.user('ada');
    const bob = await w.user('bob');
    const post = await w.post(ada.id, 'Tea');
    const first = await w.comment(ada.id, post, 'I like tea');
    const reply = await w.comment(bob.id, post, 'Me too, <b>green</b> tea!', first);

    const [note] = await waitForList(ada.id, 2); // the welcome, then the reply
    expect(note).toEqual({
      id: expect.any(String),
      kind: 'REPLY',
      summary: 'bob replied to your comment',
      excerpt: 'Me too, <b>green</b> tea!',
      path: `/post/${post}#comment-${reply}`,
      read: false,
      actor: { id: bob.id },
      comment: { id: reply },
      post: { id: post },
      picture: null,
    });
    expect((await listOf(bob.id)).map((n) => n.kind)).toEqual(['WELCOME']);
    expect((await me(ada.id)).unreadNotificationCount).toBe(2);
    await waitFor('notification.created', () => added.some((e) => (e.data as { id: string }).id === note!.id));
    expect(added.find((e) => (e.data as { id: string }).id === note!.id)!.data).toMatchObject({
      recipientId: ada.id,
      kind: 'REPLY',
    });

    const [mail] = await waitForMail(ada.email, 1);
    expect(mail!.subject).toBe('bob replied to your comment');
    expect(mail!.text).toContain('Me too, <b>green</b> tea!');
    expect(mail!.text).toContain(`${PUBLIC_URL}/post/${post}#comment-${reply}`);
    expect(mail!.html).toContain('Me too, &lt;b&gt;green&lt;/b&gt; tea!');
    expect(mail!.html).toContain(`href="${PUBLIC_URL}/post/${post}#comment-${reply}"`);
    expect(mail!.raw).toMatch(new RegExp(`^List-Unsubscribe:\\s+<${PUBLIC_URL}/unsubscribe\\?token=`, 'm'));
    expect(mail!.messageId).toMatch(/@agora>$/);
    // Later rounds of the dispatcher send nothing more.
    await worker.dispatch();
    await sleep(WINDOW_MS);
    expect(mailTo(ada.email)).toHaveLength(1);
  });

  it('tells the post author and the comment author of a reply, each once, never the replier', async () => {
    const [poster, commenter, replier] = [await w.user('poster'), await w.user('commenter'), await w.user('replier')];
    const post = await w.post(poster.id, 'Kites');
    const top = await w.comment(commenter.id, post, 'Nice kite');
    await w.comment(replier.id, post, 'Agreed', top);
    await w.comment(commenter.id, post, 'Replying to myself', top);
    const posterList = await waitForList(poster.id, 4);
    expect(posterList.map((n) => n.summary)).toEqual([
      'commenter commented on your post “Kites”',
      'replier commented on your post “Kites”',
      'commenter commented on your post “Kites”',
      'Welcome to Agora, poster!',
    ]);
    const commenterList = await waitForList(commenter.id, 2);
    expect(commenterList.map((n) => n.summary)).toEqual([
      'replier replied to your comment',
      'Welcome to Agora, commenter!',
    ]);
    expect((await listOf(replier.id)).map((n) => n.kind)).toEqual(['WELCOME']);
  });

  it('creates no duplicate when an event is delivered again', async () => {
    const ada = await w.user('dupada');
    const bob = await w.user('dupbob');
    const post = await w.post(ada.id);
    const event = w.commentEvent(bob.id, post, 'Once only');
    await w.publish(commentCreated.topic, event, event);
    await w.publish(commentCreated.topic, event);
    await w.follow(bob.id, ada.id);
    const list = await waitForList(ada.id, 3);
    await sleep(200);
    expect((await listOf(ada.id)).map((n) => n.kind).sort()).toEqual(['NEW_FOLLOWER', 'REPLY', 'WELCOME']);
    expect(list).toHaveLength(3);
  });

  it('makes one e-mail of ten replies within the batching window', async () => {
    const ada = await w.user('tenada');
    const bob = await w.user('tenbob');
    const post = await w.post(ada.id, 'Popular');
    for (let i = 1; i <= 10; i++) await w.comment(bob.id, post, `Reply number ${i}`);
    await waitForList(ada.id, 11);
    const [mail] = await waitForMail(ada.email, 1);
    await sleep(WINDOW_MS * 2);
    expect(mailTo(ada.email)).toHaveLength(1);
    expect(mail!.subject).toBe('10 replies on Agora');
    for (let i = 1; i <= 10; i++) expect(mail!.text).toContain(`Reply number ${i}\n`);
  });

  it('sends no reply e-mail once e-mail is turned off for replies; the app still shows them', async () => {
    const ada = await w.user('offada');
    const bob = await w.user('offbob');
    const res = await as(ada.id, SETTINGS, { input: { kinds: [{ kind: 'REPLY', email: false }] } });
    expect(res.data).toEqual({
      updateNotificationSettings: {
        dailyDigest: false,
        kinds: [
          { kind: 'REPLY', inApp: true, email: false },
          { kind: 'NEW_FOLLOWER', inApp: true, email: true },
          { kind: 'PICTURE_PROCESSED', inApp: true, email: false },
        ],
      },
    });
    const post = await w.post(ada.id);
    await w.comment(bob.id, post, 'You will not get this by e-mail');
    await waitForList(ada.id, 2);
    // A follow afterwards is e-mailed: once it is here, a reply e-mail would have been too.
    await w.follow(bob.id, ada.id);
    const mails = await waitForMail(ada.email, 1);
    await sleep(WINDOW_MS);
    expect(mailTo(ada.email).map((m) => m.subject)).toEqual(['offbob started following you']);
    expect(mails).toHaveLength(1);
  });

  it('unsubscribes by the link without signing in, and refuses a tampered link', async () => {
    const ada = await w.user('unsubada');
    const bob = await w.user('unsubbob');
    await w.follow(bob.id, ada.id);
    const [mail] = await waitForMail(ada.email, 1);
    const token = unsubscribeToken(mail!);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, kind: 'REPLY' })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of [`${header}.${forged}.${signature}`, `${header}.${payload}.${flipped}`, 'nonsense']) {
      const res = await as(null, `mutation($t: String!) { unsubscribe(token: $t) }`, { t: bad });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toBe('This unsubscribe link is invalid');
    }
    const untouched = (await me(ada.id)).notificationSettings.kinds;
    expect(untouched.every((k) => k.kind === 'PICTURE_PROCESSED' || k.email)).toBe(true);

    const res = await as(null, `mutation($t: String!) { unsubscribe(token: $t) }`, { t: token });
    expect(res).toMatchObject({ status: 200, data: { unsubscribe: 'NEW_FOLLOWER' } });
    expect((await me(ada.id)).notificationSettings.kinds).toEqual([
      { kind: 'REPLY', inApp: true, email: true },
      { kind: 'NEW_FOLLOWER', inApp: true, email: false },
      { kind: 'PICTURE_PROCESSED', inApp: true, email: false },
    ]);
  });

  it("notifies no one of a blocked user's actions, whoever blocked whom", async () => {
    const ada = await w.user('blockada');
    const mallory = await w.user('mallory');
    const trent = await w.user('trent');
    const bob = await w.user('blockbob');
    await w.block(ada.id, mallory.id);
    await w.block(trent.id, ada.id);
    const post = await w.post(ada.id);
    const mine = await w.comment(ada.id, post, 'Hello');
    await w.comment(mallory.id, post, 'From someone ada blocked', mine);
    await w.follow(mallory.id, ada.id);
    await w.comment(trent.id, post, 'From someone who blocked ada', mine);
    await w.comment(bob.id, post, 'From a friend', mine);
    const list = await waitForList(ada.id, 2);
    await sleep(200);
    expect((await listOf(ada.id)).map((n) => n.actor?.id ?? null)).toEqual([bob.id, null]);
    expect(list).toHaveLength(2);
  });

  it('sends an unverified address only the verification e-mail, and the rest once it is verified', async () => {
    const dan = await w.user('dan', { verified: false });
    const bob = await w.user('verbob');
    const verification = await waitFor('the verification e-mail', () => receiver.to(dan.email)[0], 15_000);
    expect(verification.subject).toBe('Confirm your e-mail address for Agora');
    expect(verification.text).toContain(`${PUBLIC_URL}/verify-email?token=${dan.token}`);
    expect(verification.html).toContain(`href="${PUBLIC_URL}/verify-email?token=${dan.token}"`);
    expect((await me(dan.id)).notificationSettings.emailStatus).toBe('UNVERIFIED');

    const post = await w.post(dan.id);
    await w.comment(bob.id, post, 'Not e-mailed: the address is not verified');
    await waitForList(dan.id, 2);
    await w.verify(dan.id, dan.email);
    await waitFor('verified', async () => (await me(dan.id)).notificationSettings.emailStatus === 'VERIFIED');
    await w.comment(bob.id, post, 'E-mailed now');
    const mails = await waitForMail(dan.email, 1);
    await sleep(WINDOW_MS);
    expect(receiver.to(dan.email).map((m) => m.subject)).toEqual([
      'Confirm your e-mail address for Agora',
      'verbob commented on your post “A post”',
    ]);
    expect(mails[0]!.text).toContain('E-mailed now');
  });

  it('tells the owner when a picture is ready or failed, in the app (e-mail is off by default)', async () => {
    const ada = await w.user('picada');
    const ready = await w.pictureProcessed(ada.id, 'READY', 'Sunset');
    const failed = await w.pictureProcessed(ada.id, 'FAILED', 'Broken');
    const list = await waitForList(ada.id, 3);
    expect(list.slice(0, 2).map((n) => [n.summary, n.picture?.id, n.path])).toEqual([
      ['Your picture “Broken” could not be processed', failed, `/pictures/${failed}`],
      ['Your picture “Sunset” is ready', ready, `/pictures/${ready}`],
    ]);
    expect((await resources.mail.batchesOf(ada.id)).filter((b) => b.kind !== 'VERIFICATION')).toEqual([]);
  });

  it('retries with backoff while the SMTP receiver is down, and delivers once, after it returns', async () => {
    const ada = await w.user('downada');
    const bob = await w.user('downbob');
    // Its verification e-mail out of the way first (sent, or not needed: verified at once).
    await waitFor('the verification batch done', async () =>
      (await resources.mail.batchesOf(ada.id)).some(
        (b) => b.kind === 'VERIFICATION' && (b.status === 'cancelled' || b.status === 'sent'),
      ),
    );
    await receiver.stop();
    try {
      await w.follow(bob.id, ada.id);
      const batchId = await waitFor(
        'a batch',
        async () => (await resources.mail.batchesOf(ada.id)).find((b) => b.kind === 'NEW_FOLLOWER')?.id,
      );
      const failing = await waitFor(
        'two failed attempts',
        async () => {
          const batch = await resources.mail.batch(batchId);
          return batch && batch.attemptsLog.length >= 2 ? batch : undefined;
        },
        15_000,
      );
      expect(failing.attemptsLog.every((a) => a.outcome === 'failed' && !a.permanent)).toBe(true);
      expect(failing.attemptsLog[0]!.response).toMatch(/ECONNECTION|ECONNREFUSED/);
      const gap = failing.attemptsLog[1]!.at.getTime() - failing.attemptsLog[0]!.at.getTime();
      expect(gap).toBeGreaterThanOrEqual(BACKOFF_MS * 0.9);
      expect(mailTo(ada.email)).toEqual([]);
    } finally {
      await receiver.start();
    }
    const [mail] = await waitForMail(ada.email, 1);
    expect(mail!.subject).toBe('downbob started following you');
    const batch = (await resources.mail.batchesOf(ada.id)).find((b) => b.kind === 'NEW_FOLLOWER')!;
    const log = (await resources.mail.batch(batch.id))!.attemptsLog;
    expect(log.at(-1)!.outcome).toBe('sent');
    expect(log.filter((a) => a.outcome === 'sent')).toHaveLength(1);
    await worker.dispatch();
    await sleep(WINDOW_MS);
    expect(mailTo(ada.email)).toHaveLength(1);
    expect(await infra.jobs.takeDeadLetters('mail')).toEqual([]);
  }, 60_000);

  it('dead-letters the job of a permanently refused address after bounded retries, and mails it no more', async () => {
    const eve = await w.user('eve');
    const bob = await w.user('refbob');
    // Its verification e-mail out of the way first (sent, or not needed: verified at once).
    await waitFor('the verification batch done', async () =>
      (await resources.mail.batchesOf(eve.id)).some(
        (b) => b.kind === 'VERIFICATION' && (b.status === 'cancelled' || b.status === 'sent'),
      ),
    );
    receiver.refuse.add(eve.email);
    await w.follow(bob.id, eve.id);
    const letters = await waitFor(
      'the dead letter',
      async () => {
        const taken = await infra.jobs.takeDeadLetters('mail');
        return taken.length > 0 ? taken : undefined;
      },
      20_000,
    );
    const batch = (await resources.mail.batchesOf(eve.id)).find((b) => b.kind === 'NEW_FOLLOWER')!;
    expect(letters).toEqual([expect.objectContaining({ id: batch.id, payload: { batchId: batch.id } })]);
    expect(letters[0]!.error).toMatch(/^550/);
    const full = (await resources.mail.batch(batch.id))!;
    expect(full.status).toBe('failed');
    expect(full.attemptsLog).toHaveLength(MAX_ATTEMPTS);
    expect(full.attemptsLog.every((a) => a.outcome === 'failed' && a.permanent)).toBe(true);
    expect((await me(eve.id)).notificationSettings.emailStatus).toBe('SUPPRESSED');

    const tried = receiver.rcptTo.filter((a) => a === eve.email).length;
    await w.follow((await w.user('refcarol')).id, eve.id);
    await waitForList(eve.id, 3);
    await sleep(WINDOW_MS * 2);
    expect(receiver.rcptTo.filter((a) => a === eve.email)).toHaveLength(tried);
    expect((await resources.mail.batchesOf(eve.id)).filter((b) => b.kind === 'NEW_FOLLOWER')).toHaveLength(1);
  }, 60_000);

  it('collects e-mails into a daily digest when asked', async () => {
    const ada = await w.user('digestada');
    const bob = await w.user('digestbob');
    await as(ada.id, SETTINGS, { input: { dailyDigest: true } });
    const post = await w.post(ada.id, 'Daily');
    await w.comment(bob.id, post, 'For the digest');
    await w.follow(bob.id, ada.id);
    await waitForList(ada.id, 3);
    const [digest] = (await resources.mail.batchesOf(ada.id)).filter((b) => b.kind !== 'VERIFICATION');
    expect(digest).toMatchObject({ kind: 'DIGEST', status: 'open' });
    const due = nextDigestAt(new Date(), 8).getTime();
    expect(Math.abs(new Date(digest!.sendAfter).getTime() - due)).toBeLessThan(60_000);
    // The morning comes.
    await resources.store.db.query(`UPDATE mail_batches SET send_after = now() WHERE id = $1`, [digest!.id]);
    const [mail] = await waitForMail(ada.email, 1);
    expect(mail!.subject).toBe('Your Agora digest: 2 notifications');
    expect(mail!.text).toContain('For the digest');
    expect(mail!.text).toContain('digestbob started following you');
    expect(mail!.text).toContain('Stop e-mails about replies');
    expect(mail!.text).toContain('Stop e-mails about new followers');
  });

  it('lists, pages, counts and marks only the viewer’s own notifications', async () => {
    const ada = await w.user('listada');
    const bob = await w.user('listbob');
    const post = await w.post(ada.id);
    for (let i = 0; i < 4; i++) await w.comment(bob.id, post, `c${i}`);
    const all = await waitForList(ada.id, 5);
    const page = await me(ada.id, { first: 2 });
    expect(page.notifications.edges.map((e) => e.node.id)).toEqual(all.slice(0, 2).map((n) => n.id));
    expect(page.notifications.pageInfo.hasNextPage).toBe(true);
    const next = await me(ada.id, { first: 10, after: page.notifications.pageInfo.endCursor });
    expect(next.notifications.edges.map((e) => e.node.id)).toEqual(all.slice(2).map((n) => n.id));

    const mark = `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`;
    expect((await as(bob.id, mark, { ids: [all[0]!.id] })).data).toEqual({ markNotificationsRead: 0 });
    expect((await as(ada.id, mark, { ids: [all[0]!.id, all[0]!.id, all[1]!.id] })).data).toEqual({
      markNotificationsRead: 2,
    });
    const bad = await as(ada.id, mark, { ids: ['not-an-id'] });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await as(ada.id, mark, { ids: Array.from({ length: 101 }, () => randomUUID()) });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await me(ada.id)).unreadNotificationCount).toBe(3);
    const unread = await me(ada.id, { unreadOnly: true });
    expect(unread.notifications.edges.map((e) => e.node.id)).toEqual(all.slice(2).map((n) => n.id));
    expect((await as(ada.id, `mutation { markAllNotificationsRead }`)).data).toEqual({ markAllNotificationsRead: 3 });
    expect((await me(ada.id)).unreadNotificationCount).toBe(0);

    const one = `query($id: ID!) { notification(id: $id) { id read } }`;
    expect((await as(ada.id, one, { id: all[0]!.id })).data).toEqual({ notification: { id: all[0]!.id, read: true } });
    expect((await as(bob.id, one, { id: all[0]!.id })).data).toEqual({ notification: null });
    expect((await as(null, one, { id: all[0]!.id })).data).toEqual({ notification: null });
    const others = await as(bob.id, ME, { r: [{ __typename: 'User', id: ada.id }] });
    expect(others.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    const anonymous = await as(null, `mutation { markAllNotificationsRead }`);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses bad settings with a clear error and changes nothing', async () => {
    const ada = await w.user('setada');
    for (const kinds of [
      [{ kind: 'WELCOME', email: true }],
      [
        { kind: 'REPLY', email: false },
        { kind: 'REPLY', inApp: false },
      ],
    ]) {
      const res = await as(ada.id, SETTINGS, { input: { kinds, dailyDigest: true } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kinds' });
    }
    const settings = (await me(ada.id)).notificationSettings;
    expect(settings.dailyDigest).toBe(false);
    expect(settings.kinds[0]).toEqual({ kind: 'REPLY', inApp: true, email: true });
    const off = await as(ada.id, SETTINGS, {
      input: { kinds: [{ kind: 'NEW_FOLLOWER', inApp: false, email: false }] },
    });
    expect(off.errors).toBeUndefined();
    await w.follow((await w.user('setbob')).id, ada.id);
    await w.pictureProcessed(ada.id, 'READY');
    const list = await waitForList(ada.id, 2);
    expect(list.map((n) => n.kind)).toEqual(['PICTURE_PROCESSED', 'WELCOME']);
  });
});
