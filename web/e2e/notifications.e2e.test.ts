import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { BrowserContext, Page } from 'playwright-core';
import { waitFor } from '@agora/kit/testing';
import {
  api,
  checkPage,
  describeWithChromium,
  registerUser,
  signedInContext,
  startApp,
  waitForSubscription,
  waitSignedIn,
  type AppUnderTest,
  type TestUser,
} from './support';

const MAIL_DIR = mkdtempSync(join(tmpdir(), 'agora-web-mail-'));

/** The .eml files the embedded stack wrote for `to`, oldest first, parsed. */
async function mailsTo(to: string) {
  const names = readdirSync(MAIL_DIR)
    .filter((n) => n.endsWith('.eml'))
    .sort();
  const mails = await Promise.all(
    names.map(async (name) => {
      const mail = await simpleParser(readFileSync(join(MAIL_DIR, name)));
      return {
        to: Array.isArray(mail.to) ? mail.to[0]!.text : (mail.to?.text ?? ''),
        subject: mail.subject ?? '',
        text: mail.text ?? '',
      };
    }),
  );
  return mails.filter((m) => m.to === to);
}

/** A link of an e-mail, at the app under test (e-mails name PUBLIC_URL's origin). */
const linkIn = (text: string, path: string) => {
  const found = new RegExp(`https?://[^\\s]+${path.replace('?', '\\?')}[^\\s>]*`).exec(text);
  if (!found) throw new Error(`no ${path} link in: ${text}`);
  const url = new URL(found[0]);
  return url.pathname + url.search + url.hash;
};

/**
 * Notifications in the browser: the bell's count rises live while a page is open, the
 * notifications page opens what they are about, the e-mailed verification and unsubscribe
 * links land on their pages (signed out), and the settings page.
 */
describeWithChromium('notifications in the web app', () => {
  let app: AppUnderTest;
  let ada: TestUser;
  let bob: TestUser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    app = await startApp({ MAIL_DIR, MAIL_BATCH_WINDOW_MS: '300', MAIL_DISPATCH_INTERVAL_MS: '50' });
    [ada, bob] = await Promise.all([registerUser(app, 'ada', 'Ada Lovelace'), registerUser(app, 'bob', 'Bob Builder')]);
    context = await signedInContext(app, ada);
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  it('raises the bell count without a reload when someone replies, and opens the reply from the list', async () => {
    const { createPanel } = await api<{ createPanel: { id: string } }>(
      app,
      ada,
      'mutation { createPanel(input: { name: "Garden" }) { id } }',
    );
    const { createPost } = await api<{ createPost: { id: string } }>(
      app,
      ada,
      'mutation($p: ID!) { createPost(input: { panelId: $p, title: "Tomatoes", body: "Red or yellow?" }) { id } }',
      { p: createPanel.id },
    );
    const { addComment } = await api<{ addComment: { id: string } }>(
      app,
      ada,
      'mutation($p: ID!) { addComment(input: { postId: $p, body: "Mine are red" }) { id } }',
      { p: createPost.id },
    );
    await page.goto(`${app.url}/`);
    await waitSignedIn(page, 'ada');
    await waitForSubscription(page, 'NotificationAdded');
    const bell = page.getByRole('link', { name: /^Notifications/ });
    await bell.getByText('1', { exact: true }).waitFor(); // the welcome
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    const sent = Date.now();
    const { addComment: reply } = await api<{ addComment: { id: string } }>(
      app,
      bob,
      'mutation($p: ID!, $c: ID) { addComment(input: { postId: $p, parentId: $c, body: "Mine are yellow!" }) { id } }',
      { p: createPost.id, c: addComment.id },
    );
    await bell.getByText('2', { exact: true }).waitFor({ timeout: 10_000 });
    const latencyMs = Date.now() - sent;
    expect(await bell.getAttribute('aria-label')).toBe('Notifications: 2 unread');
    // The same page: no reload happened.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    // Not asserted (timing): reported for the acceptance's "within 2 s".
    console.info(`bell: ${latencyMs} ms from addComment to the count on the open page`);

    await bell.click();
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    const item = page.getByRole('link', { name: /bob replied to your comment/ });
    await item.waitFor();
    await page.getByText('Mine are yellow!').waitFor();
    await checkPage(page, 'notifications');
    await item.click();
    await page.waitForURL(`**/post/${createPost.id}#comment-${reply.id}`);
    await page.locator(`#comment-${reply.id}`).getByText('Mine are yellow!').waitFor();
    await bell.getByText('1', { exact: true }).waitFor();
  }, 90_000);

  it('confirms the address from the e-mailed link, signed out, and shows it in the settings', async () => {
    const verification = await waitFor('the verification e-mail', async () => (await mailsTo(ada.email))[0]);
    expect(verification!.subject).toBe('Confirm your e-mail address for Agora');
    const anonymous = await (await app.context()).newPage();
    await anonymous.goto(`${app.url}${linkIn(verification!.text, '/verify-email?token=')}`);
    await anonymous.getByText('Thank you: your address is confirmed').waitFor();
    await checkPage(anonymous, 'verify-email');

    await page.goto(`${app.url}/settings/notifications`);
    await page.getByText('Your address is confirmed.').waitFor();
    await checkPage(page, 'notification-settings');
  }, 60_000);

  it('unsubscribes from the e-mailed link, signed out; a tampered link is refused', async () => {
    await api(app, bob, 'mutation($id: ID!) { follow(userId: $id) { id } }', { id: ada.id });
    const mail = await waitFor('the follower e-mail', async () =>
      (await mailsTo(ada.email)).find((m) => m.subject === 'bob started following you'),
    );
    const path = linkIn(mail!.text, '/unsubscribe?token=');
    const anonymous = await (await app.context()).newPage();
    await anonymous.goto(`${app.url}${path.slice(0, -3)}${path.endsWith('AAA') ? 'BBB' : 'AAA'}`);
    await anonymous.getByRole('button', { name: 'Unsubscribe' }).click();
    await anonymous
      .getByRole('alert')
      .getByText(/invalid/)
      .waitFor();

    await anonymous.goto(`${app.url}${path}`);
    await anonymous.getByRole('button', { name: 'Unsubscribe' }).click();
    await anonymous.getByText('Done: no more e-mails about new followers').waitFor();
    await page.goto(`${app.url}/settings/notifications`);
    await expect(page.getByRole('checkbox', { name: 'New followers: by e-mail' }).isChecked()).resolves.toBe(false);
    await expect(
      page.getByRole('checkbox', { name: 'Replies to your posts and comments: by e-mail' }).isChecked(),
    ).resolves.toBe(true);
  }, 60_000);

  it('reports no console errors', () => {
    expect(app.errors).toEqual([]);
  });
});
