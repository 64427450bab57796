import { createHash } from 'node:crypto';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { waitFor } from '@agora/kit/testing';
import {
  checkPage,
  describeWithChromium,
  PASSWORD,
  registerUser,
  signedInContext,
  startApp,
  waitForSubscription,
  waitSignedIn,
  type AppUnderTest,
  type TestUser,
} from './support';

/**
 * The public API from a third party's side (issue 14, acceptance 1, 6 and 7): a key made in
 * the web app authenticates a plain HTTP client (as curl would) until it is revoked there;
 * the API explorer loads and runs a query with everything outside the app's origin cut off;
 * and with the gateway in trusted-documents mode the web app still works (it sends its
 * registered ids) while a hand-written query is refused.
 */

interface Answer {
  status: number;
  data?: { me: { handle: string } | null } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** `curl -H 'content-type: application/json' -H "<header>: <value>" -d '{"query":"{ me { handle } }"}'` */
async function whoAmI(app: AppUnderTest, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(app.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ me { handle } }' }),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
}

const codes = (answer: { errors?: { extensions?: { code?: string } }[] }) =>
  (answer.errors ?? []).map((e) => e.extensions?.code);

const heading = (page: Page) => page.getByRole('heading', { level: 1 });

describeWithChromium('API keys and the explorer', () => {
  let app: AppUnderTest;
  let kate: TestUser;

  beforeAll(async () => {
    app = await startApp();
    kate = await registerUser(app, 'kate', 'Kate Johnson');
  }, 180_000);
  afterAll(() => app?.close());
  afterEach(() => {
    expect(app.errors.splice(0)).toEqual([]);
  });

  it('makes a key in the web app that authenticates a plain HTTP client until it is revoked there', async () => {
    const context = await signedInContext(app, kate);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    const page = await context.newPage();
    await page.goto(app.url);
    await waitSignedIn(page, 'kate');
    // Reached from the user menu.
    await page.getByTestId('signed-in-handle').click();
    await page.getByRole('link', { name: 'API keys' }).click();
    await heading(page).getByText('API keys').waitFor();
    await page.getByText('You have no API keys').waitFor();
    await checkPage(page, 'api-keys-empty');

    // The API's limits are checked in the browser first, next to their fields; nothing is sent.
    const form = page.getByRole('form', { name: 'Create an API key' });
    const sent: string[] = [];
    page.on('request', (request) => request.postData()?.includes('CreateApiKey') && sent.push('create'));
    await form.getByLabel('Name').fill('x'.repeat(51));
    await form.getByLabel('Expires on (optional)').fill('2020-01-01');
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByText('Name can be at most 50 characters (now 51).').waitFor();
    await form.getByText('Choose a day in the future.').waitFor();
    const tooLate = new Date(Date.now() + 3 * 365 * 24 * 3600_000).toISOString().slice(0, 10);
    await form.getByLabel('Expires on (optional)').fill(tooLate);
    await form.getByText('A key can live at most two years: choose an earlier day.').waitFor();
    expect(sent).toEqual([]);

    const inAYear = new Date(Date.now() + 365 * 24 * 3600_000).toISOString().slice(0, 10);
    await form.getByLabel('Name').fill('Backup script');
    await form.getByLabel('Expires on (optional)').fill(inAYear);
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-api-key');
    await shown.waitFor();
    const key = (await shown.textContent())?.trim() ?? '';
    expect(key).toMatch(/^agora_[A-Za-z0-9_-]{40,}$/);
    await page.getByText('you won’t see it again.').waitFor();
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    // Listed with its prefix (the start of the key), never the key itself.
    const item = page.locator('li.api-key', { hasText: 'Backup script' });
    await item.waitFor();
    const prefix = ((await item.locator('code').textContent()) ?? '').replace('…', '');
    expect(prefix.length).toBe('agora_'.length + 8);
    expect(key.startsWith(prefix)).toBe(true);
    expect(await item.textContent()).toMatch(/never used · expires/);
    await checkPage(page, 'api-keys-new-key');

    // A plain client, as curl would call it, with either header.
    expect(await whoAmI(app, { 'x-api-key': key })).toMatchObject({ status: 200, data: { me: { handle: 'kate' } } });
    expect(await whoAmI(app, { authorization: `Bearer ${key}` })).toMatchObject({
      data: { me: { handle: 'kate' } },
    });

    // Shown once: after "Done" (or a reload) the key is gone from the page; its use is listed.
    await page.getByRole('button', { name: 'Done, hide it' }).click();
    await page.reload();
    await item.waitFor();
    expect(await page.content()).not.toContain(key);
    await item.getByText(/last used/).waitFor();

    // Revoked in the web app, after a confirmation: refused at once.
    await item.getByRole('button', { name: 'Revoke key Backup script' }).click();
    await item.getByRole('group', { name: /Revoke “Backup script”\?/ }).waitFor();
    await item.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByText('You have no API keys').waitFor();
    const refused = await whoAmI(app, { 'x-api-key': key });
    expect(refused.data?.me ?? null).toBeNull();
    expect(refused.status).toBe(401);
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(codes(await whoAmI(app, { authorization: `Bearer ${key}` }))).toEqual(['UNAUTHENTICATED']);
    await context.close();
  }, 90_000);

  it('serves the explorer with nothing from outside its origin, and runs a query in it', async () => {
    const context = await app.context();
    const origin = new URL(app.url).origin;
    const outside: string[] = [];
    const seen: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      seen.push(url);
      if (new URL(url).origin === origin) return route.continue();
      outside.push(url);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const served = await page.goto(`${app.url}/graphql`);
    expect(await page.title()).toBe('Agora API explorer');
    // And the browser itself would refuse to load anything from elsewhere.
    expect(served?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    // The editor is up once its default query is shown.
    const editor = page.locator('.graphiql-query-editor');
    await editor.getByText('panels(first: 5)').waitFor({ timeout: 30_000 });
    expect(seen.some((url) => url.includes('/explorer/'))).toBe(true);

    // A query of our own, pasted as a user would bring a query from elsewhere (typing would meet the editor's
    // completions and auto-closed brackets).
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await page.evaluate(() =>
      navigator.clipboard.writeText('{ __typename panels(first: 1) { totalCount: __typename } }'),
    );
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('ControlOrMeta+V');
    await editor.getByText('totalCount').waitFor();
    // GraphiQL reads the operation's name from the editor a moment after a change: a run in
    // between still names the default query's "Panels". Run again until it sent ours.
    const run = async () => {
      const answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().method() === 'POST');
      await page.getByRole('button', { name: /Execute query/ }).click();
      const response = await answered;
      return {
        status: response.status(),
        operationName: (response.request().postDataJSON()?.operationName as unknown) ?? null,
      };
    };
    let sent = await run();
    for (let attempt = 0; attempt < 5 && sent.operationName === 'Panels'; attempt++) sent = await run();
    expect(sent).toEqual({ status: 200, operationName: null });
    const result = page.locator('.graphiql-response');
    const shown = await waitFor(
      'the explorer to show an answer',
      async () => {
        const text = ((await result.textContent()) ?? '').replace(/\s+/g, '');
        return /"(data|errors)"/.test(text) ? text : '';
      },
      15_000,
    );
    expect(shown).toContain('{"data":{"__typename":"Query","panels":{"totalCount":"PanelConnection"}}}');
    expect((await editor.textContent())?.replace(/\s+/g, ' ')).toContain('totalCount: __typename');

    // Nothing was even attempted outside the origin: no CDN, no fonts, no telemetry.
    expect(outside).toEqual([]);
    await context.close();
  }, 90_000);
});

describeWithChromium('trusted-documents mode', () => {
  let app: AppUnderTest;

  beforeAll(async () => {
    app = await startApp({ TRUSTED_DOCUMENTS: 'true' });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    delete process.env.TRUSTED_DOCUMENTS;
  });
  afterEach(() => {
    expect(app.errors.splice(0)).toEqual([]);
  });

  /** Every GraphQL request a page makes over HTTP, as sent (queries as GET, mutations as POST). */
  function recordGraphQL(context: BrowserContext) {
    const requests: Record<string, unknown>[] = [];
    context.on('request', (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname !== '/graphql') return;
      if (request.method() === 'POST') requests.push(JSON.parse(request.postData() ?? '{}') as Record<string, unknown>);
      else {
        const params = Object.fromEntries(url.searchParams);
        requests.push({ ...params, extensions: JSON.parse(params.extensions ?? 'null') as unknown });
      }
    });
    return requests;
  }

  it('runs the web app (register, a panel, sign out and in) by registered ids alone', async () => {
    const context = await app.context();
    const bodies = recordGraphQL(context);
    const page = await context.newPage();
    const refusedLive: string[] = [];
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        if (String(payload).includes('"type":"error"')) refusedLive.push(String(payload));
      }),
    );
    await page.goto(app.url);
    await page.getByText('No panels yet — create the first one.').waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
    const register = page.getByRole('form', { name: 'Register' });
    await register.getByLabel('Email', { exact: true }).fill('lin@example.com');
    await register.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await register.getByLabel('Handle', { exact: true }).fill('lin');
    await register.getByRole('button', { name: 'Register' }).click();
    await waitSignedIn(page, 'lin');
    // The header's live count subscribes over WebSocket with its registered text.
    await waitForSubscription(page, 'NotificationAdded');

    const newPanel = page.getByRole('form', { name: 'New panel' });
    await newPanel.getByLabel('Panel name').fill('Trusted only');
    await newPanel.getByRole('button', { name: 'Create panel' }).click();
    await heading(page).getByText('Trusted only').waitFor();
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Trusted only' }).waitFor();

    await page.getByTestId('signed-in-handle').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
    const signIn = page.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('Email', { exact: true }).fill('lin@example.com');
    await signIn.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await waitSignedIn(page, 'lin');

    expect(refusedLive).toEqual([]);
    // Every request went by id, none with a text.
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) {
      expect(body.query).toBeUndefined();
      expect(body.extensions).toMatchObject({
        persistedQuery: { sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
    }
    await context.close();
  }, 90_000);

  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  };
  const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
  const handWritten = { query: '{ panels(first: 1) { edges { cursor } } }' };
  const unregisteredId = { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } };

  it('runs neither a hand-written query nor an unregistered id', async () => {
    for (const body of [handWritten, unregisteredId]) {
      const answer = await post(body);
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.length).toBe(1);
    }
  });

  it('says why: an unknown id is not found, and its text, or any hand-written one, is not in the list', async () => {
    expect(await post(unregisteredId).then((a) => codes(a))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    // What an APQ client does next: the same id with its text. Refused, and not registered.
    const withText = {
      ...handWritten,
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(handWritten.query) } },
    };
    for (const body of [handWritten, withText]) {
      const answer = await post(body);
      expect({ status: answer.status, codes: codes(answer) }).toEqual({
        status: 400,
        codes: ['PERSISTED_QUERY_NOT_IN_LIST'],
      });
    }
    expect(await post({ extensions: withText.extensions }).then((a) => codes(a))).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
  });
});
