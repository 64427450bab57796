import type { BrowserContext, Page } from 'playwright-core';
import { codes, gql, sleep } from '@agora/kit/testing';
import {
  describeWithChromium,
  registerUser,
  signedInContext,
  startApp,
  waitSignedIn,
  type AppUnderTest,
  type TestUser,
} from './support';

/** This stack's grace period (REFRESH_GRACE_SECONDS), short so a test can wait it out. */
const GRACE_SECONDS = 2;
const REFRESH_KEY = 'agora.refreshToken';

const isRefresh = (body: string | null) => body?.includes('RefreshSession') ?? false;

/**
 * Sessions across tabs and reloads. Every refresh token works once; two tabs opened at the
 * same moment, or a reload while a refresh is in flight, present the same one twice. The
 * app serialises refreshes across tabs (Web Locks, BroadcastChannel) and the server gives a
 * token presented again within its grace period the same new pair; a real replay after it
 * still ends the session.
 */
describeWithChromium('sessions in the browser', () => {
  let app: AppUnderTest;
  let ada: TestUser;

  beforeAll(async () => {
    app = await startApp({ REFRESH_GRACE_SECONDS: String(GRACE_SECONDS) });
    ada = await registerUser(app, 'ada', 'Ada Lovelace');
  }, 120_000);
  afterAll(() => app?.close());
  afterEach(() => {
    expect(app.errors.splice(0)).toEqual([]);
  });

  /** Two tabs opened at the same moment, then one reloaded while its refresh is in flight. */
  async function twoTabsAndAFastReload(context: BrowserContext) {
    const tabs = await Promise.all([context.newPage(), context.newPage()]);
    await Promise.all(tabs.map((tab) => tab.goto(app.url)));
    await Promise.all(tabs.map((tab) => waitSignedIn(tab, 'ada')));
    const [first, second] = tabs as [Page, Page];
    // The reload goes out the moment the new page has sent its refresh, before the answer is back.
    const sent = first.waitForRequest((request) => isRefresh(request.postData()));
    await first.reload({ waitUntil: 'commit' });
    await sent;
    await first.reload();
    await waitSignedIn(first, 'ada');
    await second.reload();
    await waitSignedIn(second, 'ada');
    for (const tab of tabs) await tab.close();
  }

  it('stays signed in through two tabs opened at once and a fast reload, 20 times over', async () => {
    const context = await signedInContext(app, ada);
    for (let round = 0; round < 20; round++) await twoTabsAndAFastReload(context);
    // The session the tabs shared is alive: its stored token still trades for a pair.
    const page = await context.newPage();
    await page.goto(app.url);
    await waitSignedIn(page, 'ada');
    const stored = await page.evaluate((key) => localStorage.getItem(key), REFRESH_KEY);
    await page.close();
    const check = await gql(
      app.graphqlUrl,
      'mutation($t: String!) { refreshSession(refreshToken: $t) { expiresIn } }',
      {
        t: stored,
      },
    );
    expect(codes(check)).toEqual([]);
    await context.close();
  }, 240_000);

  it('stays signed in without Web Locks too: the server grace period covers concurrent tabs', async () => {
    const context = await signedInContext(app, ada);
    // As on an insecure origin: no navigator.locks, so both tabs refresh the same token at once.
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
    });
    const refreshes: string[] = [];
    context.on('request', (request) => {
      if (isRefresh(request.postData())) refreshes.push(request.postData()!);
    });
    for (let round = 0; round < 5; round++) await twoTabsAndAFastReload(context);
    // Both tabs did present the same token at least once (else this test proved nothing).
    expect(new Set(refreshes).size).toBeLessThan(refreshes.length);
    await context.close();
  }, 120_000);

  it('a replayed refresh token outside the grace period ends the session in the browser', async () => {
    const context = await signedInContext(app, ada);
    const page = await context.newPage();
    await page.goto(app.url);
    await waitSignedIn(page, 'ada');
    // Someone copied the token the app holds now; the app trades it on its next load.
    const copied = await page.evaluate((key) => localStorage.getItem(key), REFRESH_KEY);
    await page.reload();
    await waitSignedIn(page, 'ada');
    expect(await page.evaluate((key) => localStorage.getItem(key), REFRESH_KEY)).not.toBe(copied);

    await sleep(GRACE_SECONDS * 1000 + 500);
    const replay = await gql(
      app.graphqlUrl,
      'mutation($t: String!) { refreshSession(refreshToken: $t) { expiresIn } }',
      {
        t: copied,
      },
    );
    expect(codes(replay)).toEqual(['UNAUTHENTICATED']);
    expect(replay.errors![0]!.message).toMatch(/already used/);

    // The whole session ended: the app's own token is refused at its next load, and it shows signed out.
    await page.reload();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.evaluate((key) => localStorage.getItem(key), REFRESH_KEY)).toBeNull();
    await context.close();
  }, 60_000);
});
