import type { Page } from 'playwright-core';
import { adminRolesOf } from '@agora/auth/service';
import {
  checkPage,
  describeWithChromium,
  receivedOverWebSocket,
  registerUser,
  signedInContext,
  startApp,
  waitForSubscription,
  waitSignedIn,
  type AppUnderTest,
  type TestUser,
} from './support';

/** A new call must show on the open dashboard within this long (issue 12, acceptance 6). */
const LIVE_MS = 5_000;

/** A number as the dashboard prints it ("1,234"). */
const count = async (page: Page, testId: string) =>
  Number((await page.getByTestId(testId).textContent())!.replace(/\D/g, ''));

/**
 * The admin dashboard in Chromium against one embedded stack (gateway API-call log, Kafka,
 * the analytics subgraph): who may see it, the calls made so far, a new call showing up live
 * on the chart, in the totals and among the recent calls, and the recent calls' filters and paging.
 */
describeWithChromium('the admin dashboard', () => {
  let app: AppUnderTest;
  let root: TestUser;
  let bob: TestUser;

  /**
   * A named operation as `user`, the name in the body too, as GraphQL clients send it (the
   * gateway names a call answered from its response cache by that field alone).
   */
  const call = async (user: TestUser, operationName: string, query: string) => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
      body: JSON.stringify({ query, operationName }),
    });
    return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  };

  beforeAll(async () => {
    app = await startApp();
    [root, bob] = await Promise.all([registerUser(app, 'root', 'Root'), registerUser(app, 'bob', 'Bob Builder')]);
    await adminRolesOf(app.stack.services.find((s) => s.name === 'auth')!)!.grant(root.email);
  }, 180_000);
  afterAll(() => app?.close());
  afterEach(() => {
    expect(app.errors.splice(0)).toEqual([]);
  });

  it('asks a signed-out visitor to sign in and tells a non-admin they are not allowed', async () => {
    const visitor = await (await app.context()).newPage();
    await visitor.goto(`${app.url}/admin`);
    await visitor.getByRole('main').getByRole('link', { name: 'Sign in' }).waitFor();
    await visitor.context().close();

    const page = await (await signedInContext(app, bob)).newPage();
    await page.goto(`${app.url}/admin`);
    await waitSignedIn(page, 'bob');
    await page.getByRole('heading', { level: 1, name: 'Not allowed' }).waitFor();
    await page.getByText('the admin dashboard is only for administrators').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    expect(receivedOverWebSocket(page).filter((m) => JSON.stringify(m.data).includes('apiUsageUpdated'))).toEqual([]);
    await checkPage(page, 'admin-not-allowed');
    await page.context().close();
  }, 60_000);

  it('shows an admin the calls so far, then a new call live without a reload; filters and pages the calls', async () => {
    // 21 calls of one operation before the page opens: one more than a page of recent calls.
    await Promise.all(
      Array.from({ length: 21 }, () => call(bob, 'BeforeDashboard', 'query BeforeDashboard { me { id } }')),
    );

    const page = await (await signedInContext(app, root)).newPage();
    await page.goto(`${app.url}/admin`);
    await page.getByRole('heading', { level: 1, name: 'API usage' }).waitFor();
    const operations = page.getByRole('region', { name: 'Top operations' });
    await operations.getByRole('row', { name: /^BeforeDashboard query 21 0/ }).waitFor();
    await waitForSubscription(page, 'AdminUsageUpdated');
    expect(await count(page, 'total-calls')).toBeGreaterThanOrEqual(23); // and two registrations
    await checkPage(page, 'admin-dashboard');

    // The page stays the same document throughout: a reload would lose this mark.
    await page.evaluate(() => (window.agoraNoReload = true));
    const before = await count(page, 'total-calls');
    const errorsBefore = await count(page, 'total-errors');
    expect((await call(bob, 'LiveProbe', 'query LiveProbe { me { id } }')).errors).toBeUndefined();
    expect((await call(bob, 'LiveProbe', 'query LiveProbe { me { handle } }')).errors).toBeUndefined();
    // The same operation name refused: bob is no admin.
    const refused = await call(bob, 'LiveProbe', 'query LiveProbe { apiUsage { totalCalls } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const recent = page.getByRole('table', { name: /Recent API calls/ });
    await recent
      .getByRole('row', { name: /^LiveProbe query · HTTP · @bob Error FORBIDDEN/ })
      .waitFor({ timeout: LIVE_MS });
    await operations.getByRole('row', { name: /^LiveProbe query 3 1/ }).waitFor({ timeout: LIVE_MS });
    await page.waitForFunction(
      ({ calls, errors }) =>
        Number(document.querySelector('[data-testid="total-calls"]').textContent.replace(/\D/g, '')) >= calls &&
        Number(document.querySelector('[data-testid="total-errors"]').textContent.replace(/\D/g, '')) >= errors,
      { calls: before + 3, errors: errorsBefore + 1 },
      { timeout: LIVE_MS },
    );
    expect(await page.evaluate(() => window.agoraNoReload)).toBe(true);
    expect(
      receivedOverWebSocket(page).filter((m) => JSON.stringify(m.data).includes('apiUsageUpdated')).length,
    ).toBeGreaterThan(0);
    // The chart (its table of values) holds every call the totals count.
    const [onChart, inTotals] = await page.evaluate(() => {
      const digits = (text: string) => Number(text.replace(/\D/g, '')) || 0;
      const tables: HTMLElement[] = [...document.querySelectorAll('table')];
      const chart = tables.find((t) => t.caption?.textContent === 'Calls per minute');
      const cells: HTMLElement[] = [...chart.querySelectorAll('tbody tr td:first-of-type')];
      const sum = cells.reduce((total: number, cell: HTMLElement) => total + digits(cell.textContent), 0);
      return [sum, digits(document.querySelector('[data-testid="total-calls"]').textContent)];
    });
    expect(onChart).toBe(inTotals);

    // Filters: one operation, then only its failures. The caption says which list is shown.
    const filters = page.getByRole('form', { name: 'Filter calls' });
    const showing = async (caption: string) => {
      await page.getByRole('table', { name: `Recent API calls, newest first${caption}`, exact: true }).waitFor();
      await recent.getByRole('status', { name: 'Loading' }).waitFor({ state: 'detached' });
    };
    await filters.getByLabel('Operation name').fill('LiveProbe');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await showing(', operation LiveProbe');
    expect(await recent.getByRole('row', { name: /^LiveProbe/ }).count()).toBe(3);
    expect(await recent.locator('tbody tr').count()).toBe(3);
    await filters.getByLabel('Outcome').selectOption('ERROR');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await showing(', operation LiveProbe, outcome error');
    expect(await recent.locator('tbody tr').count()).toBe(1);
    await recent.getByRole('row', { name: /^LiveProbe .* Error FORBIDDEN/ }).waitFor();

    // Paging by cursor: 20 of the 21 calls, then the last one.
    await filters.getByLabel('Operation name').fill('BeforeDashboard');
    await filters.getByLabel('Outcome').selectOption('');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await showing(', operation BeforeDashboard');
    await recent.getByRole('button', { name: 'Older calls' }).click();
    await recent
      .getByRole('row', { name: /^BeforeDashboard/ })
      .nth(20)
      .waitFor();
    expect(await recent.getByRole('row', { name: /^BeforeDashboard/ }).count()).toBe(21);
    expect(await recent.getByRole('button', { name: 'Older calls' }).count()).toBe(0);

    // Another range: points of an hour.
    await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: 'Last day' }).click();
    await page.getByRole('table', { name: 'Calls per hour' }).waitFor({ state: 'attached' });
    expect(await count(page, 'total-calls')).toBeGreaterThanOrEqual(before + 3);
    await page.context().close();
  }, 90_000);
});
