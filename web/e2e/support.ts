import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startEmbeddedStack, type EmbeddedStack } from '@agora/embedded/stack';
import { gql } from '@agora/kit/testing';

/**
 * What every browser test file shares: a private build of the app, one embedded stack and
 * one Debian Chromium per file, contexts that record every console error (a test fails on
 * any), and the per-page checks: axe, one h1, no sideways scrolling, touch targets,
 * screenshots at desktop and phone sizes.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const WEB_DIR = resolve(__dirname, '..');
export const SCREENSHOTS = join(WEB_DIR, 'e2e', 'screenshots');
export const PASSWORD = 'Correct-horse-battery-9';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// Like the suites that need devstack's servers: skipped without Chromium on a developer's
// machine, and a skipped test fails the run under CI (scripts/test.mjs).
export const describeWithChromium = existsSync(CHROMIUM)
  ? describe
  : (title: string, suite: () => void) =>
      describe.skip(`${title} (needs ${CHROMIUM}: run \`apt-get install -y chromium\` as root)`, suite);

/** `vite build` of the current sources into a private folder; returns the folder. */
export function buildApp(): string {
  const outDir = join(mkdtempSync(join(tmpdir(), 'agora-web-')), 'dist');
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: WEB_DIR,
    stdio: 'pipe',
    // Jest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return outDir;
}

export interface AppUnderTest {
  stack: EmbeddedStack;
  url: string;
  graphqlUrl: string;
  browser: Browser;
  webRoot: string;
  /** Console errors and uncaught exceptions of every page so far (`page url: text`). */
  errors: string[];
  /** A fresh browser context (its own storage: one user), recording console errors. */
  context(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Builds the app, starts the embedded stack serving it, and launches Chromium. */
export async function startApp(env: Record<string, string> = {}): Promise<AppUnderTest> {
  const webRoot = buildApp();
  Object.assign(process.env, env); // services read their settings from the environment
  const stack = await startEmbeddedStack({
    gatewayPort: 0,
    subgraphPort: () => 0,
    env: { ...process.env, WEB_ROOT: webRoot },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    stack,
    url: stack.gateway.url,
    graphqlUrl: stack.gateway.graphqlUrl,
    browser,
    webRoot,
    errors,
    async context(options = {}) {
      const context = await browser.newContext({ viewport: DESKTOP, ...options });
      context.setDefaultTimeout(15_000);
      context.on('page', (page) => recordErrors(page, errors));
      contexts.push(context);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await stack.close();
    },
  };
}

/** What each page's WebSocket carried: the operations it subscribed to, and the payloads it got. */
const live = new WeakMap<Page, { subscribed: Set<string>; received: { id: string; data: unknown }[] }>();

function recordFrames(page: Page) {
  const frames = { subscribed: new Set<string>(), received: [] as { id: string; data: unknown }[] };
  live.set(page, frames);
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; payload?: { operationName?: string } };
      if (message.type === 'subscribe' && message.payload?.operationName) {
        frames.subscribed.add(message.payload.operationName);
      }
    });
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; id?: string; payload?: { data?: unknown } };
      if (message.type === 'next') frames.received.push({ id: message.id ?? '', data: message.payload?.data });
    });
  });
}

/** Resolves once the page's WebSocket has sent a subscribe for `operationName`. */
export async function waitForSubscription(page: Page, operationName: string) {
  const deadline = Date.now() + 10_000;
  while (!live.get(page)?.subscribed.has(operationName)) {
    if (Date.now() > deadline) throw new Error(`the page never subscribed to ${operationName}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Payloads the page received over its WebSocket so far (graphql-ws `next` messages). */
export const receivedOverWebSocket = (page: Page) => live.get(page)?.received ?? [];

function recordErrors(page: Page, errors: string[]) {
  recordFrames(page);
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: uncaught ${error.stack ?? error.message}`));
  page.on('dialog', (dialog) => {
    errors.push(`${page.url()}: unexpected dialog "${dialog.message()}"`);
    void dialog.dismiss();
  });
}

// --- the API, for arranging what a test needs ----------------------------------------------------

export interface TestUser {
  id: string;
  handle: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerUser(app: AppUnderTest, handle: string, displayName?: string): Promise<TestUser> {
  const email = `${handle}@example.com`;
  const result = await gql<{ register: { accessToken: string; refreshToken: string; user: { id: string } } }>(
    app.graphqlUrl,
    `mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }`,
    { input: { email, password: PASSWORD, handle, displayName } },
  );
  if (!result.data) throw new Error(`register ${handle}: ${JSON.stringify(result.errors)}`);
  const { accessToken, refreshToken, user } = result.data.register;
  return { id: user.id, handle, email, accessToken, refreshToken };
}

/** A GraphQL call as `user` (or anonymous); throws on errors. */
export async function api<D>(
  app: AppUnderTest,
  user: TestUser | null,
  query: string,
  variables?: Record<string, unknown>,
): Promise<D> {
  const headers: Record<string, string> = user ? { authorization: `Bearer ${user.accessToken}` } : {};
  const result = await gql<D>(app.graphqlUrl, query, variables, headers);
  if (result.errors?.length || !result.data) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

/** A context signed in as `user`: the refresh token the app keeps, placed before the first load. */
export async function signedInContext(app: AppUnderTest, user: TestUser, options: BrowserContextOptions = {}) {
  // A session of the app's own: sharing the user's refresh token would be a replay once both refresh.
  const login = await gql<{ login: { refreshToken: string } }>(
    app.graphqlUrl,
    `mutation($input: LoginInput!) { login(input: $input) { refreshToken } }`,
    { input: { email: user.email, password: PASSWORD } },
  );
  if (!login.data?.login) throw new Error(`login ${user.handle}: ${JSON.stringify(login.errors)}`);
  return app.context({
    ...options,
    storageState: {
      cookies: [],
      origins: [
        { origin: app.url, localStorage: [{ name: 'agora.refreshToken', value: login.data.login.refreshToken }] },
      ],
    },
  });
}

// --- per-page checks -----------------------------------------------------------------------------

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the app's CSP (no inline scripts) does not apply.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const result = (await window.axe.run(document, { resultTypes: ['violations'] })) as { violations: unknown[] };
    return result.violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Controls smaller than 44×44 px (inline links inside running text are exempt, as WCAG 2.5.5 allows). */
export async function smallTouchTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = [];
    const controls: HTMLElement[] = document.querySelectorAll(
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [tabindex="0"]',
    );
    for (const element of controls) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not rendered (hidden menus, skip link off screen)
      if (element.closest('.skip-link')) continue;
      const inline = element.tagName === 'A' && element.closest('p, .meta, .prose, dd, td, figcaption') !== null;
      if (inline) continue;
      if (box.width < 43.5 || box.height < 43.5) {
        const name = (element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 30);
        small.push(`${element.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  });
}

/**
 * The checks every page passes, at 1280×800 and at 390×844: exactly one h1, no serious or
 * critical axe violation, no sideways scrolling, and (on the phone) touch targets of 44 px;
 * a full-page screenshot of each is written to web/e2e/screenshots/<name>-<w>x<h>.png.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  const problems: string[] = [];
  try {
    for (const size of [DESKTOP, PHONE]) {
      await page.setViewportSize(size);
      await page.evaluate(
        () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
      );
      const h1s = await page.locator('h1').count();
      if (h1s !== 1) problems.push(`${size.width}px: ${h1s} h1 elements`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${size.width}px: scrolls sideways by ${overflow}px`);
      for (const violation of await axeViolations(page)) problems.push(`${size.width}px: axe ${violation}`);
      if (size === PHONE) {
        for (const target of await smallTouchTargets(page)) problems.push(`${size.width}px: small target ${target}`);
      }
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`), fullPage: true });
    }
  } finally {
    await page.setViewportSize(original);
  }
  expect({ page: name, problems }).toEqual({ page: name, problems: [] });
}

/** Resolves once the header shows `handle` signed in. */
export async function waitSignedIn(page: Page, handle: string) {
  await page.getByTestId('signed-in-handle').getByText(`@${handle}`, { exact: true }).waitFor();
}
