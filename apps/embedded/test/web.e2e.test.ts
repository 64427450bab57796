import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '@agora/kit/paths';
import { gql } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';

const CHROMIUM = '/usr/bin/chromium';

/**
 * The web app in Debian's Chromium, against the embedded stack: register, create a panel,
 * post (markup stays text), comment and reply, reload (the session is restored from the
 * refresh token), sign out.
 */
// Like the suites that need devstack's servers: skipped without Chromium on a developer's
// machine, and a skipped test fails the run under CI (scripts/test.mjs).
const describeWithChromium = existsSync(CHROMIUM)
  ? describe
  : (title: string, suite: () => void) =>
      describe.skip(`${title} (needs ${CHROMIUM}: run \`apt-get install -y chromium\` as root)`, suite);

describeWithChromium('web app in a browser', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'agora-web-e2e-'));
  const webRoot = join(workDir, 'dist');
  let stack: EmbeddedStack;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    // A private build of the current sources, so a concurrent `vite build` of web/dist cannot race this test.
    execFileSync('npx', ['vite', 'build', '--outDir', webRoot, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: join(REPO_ROOT, 'web'),
      stdio: 'pipe',
    });
    stack = await startEmbeddedStack({
      gatewayPort: 0,
      subgraphPort: () => 0,
      env: { ...process.env, WEB_ROOT: webRoot },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const form = (name: string) => page.getByRole('form', { name });

  it('registers, creates a panel, posts, comments and replies', async () => {
    await page.goto(stack.gateway.url);
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();

    // An API error is shown next to the form that caused it, with its code.
    const register = form('Register');
    await register.getByLabel('Email').fill('web@example.com');
    await register.getByLabel('Password').fill('short');
    await register.getByLabel('Handle').fill('web_tester');
    await register.getByRole('button', { name: 'Register' }).click();
    await register.getByRole('alert').getByText('BAD_USER_INPUT').waitFor();

    await register.getByLabel('Password').fill('Correct-horse-battery-9');
    await register.getByLabel('Display name').fill('Web Tester');
    await register.getByRole('button', { name: 'Register' }).click();
    await page.getByTestId('signed-in-handle').waitFor();
    expect(await page.getByTestId('signed-in-handle').textContent()).toBe('@web_tester');

    const newPanel = form('New panel');
    await newPanel.getByLabel('Panel name').fill('Web Panel');
    await newPanel.getByLabel('Panel description').fill('Made in a browser');
    await newPanel.getByRole('button', { name: 'Create panel' }).click();
    await page.getByRole('heading', { name: 'Web Panel' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/p/web-panel');
    await page.getByText('Made in a browser').waitFor();

    const script = '<script>alert(1)</script>';
    const newPost = form('New post');
    await newPost.getByLabel('Title').fill('Hello <b>world</b>');
    await newPost.getByLabel('Body').fill(`Markup stays text: ${script}`);
    await newPost.getByLabel('Tags (comma-separated)').fill('Intro, web, intro');
    await newPost.getByRole('button', { name: 'Create post' }).click();
    await page.getByTestId('post-body').waitFor();
    expect(await page.getByTestId('post-body').textContent()).toBe(`Markup stays text: ${script}`);
    expect(await page.getByRole('heading', { name: 'Hello <b>world</b>' }).count()).toBe(1);
    expect(await page.locator('main script, main b').count()).toBe(0);
    expect(await page.locator('.tag').allTextContents()).toEqual(['intro', 'web']);
    const postId = decodeURIComponent(new URL(page.url()).pathname.replace('/post/', ''));

    await form('New comment').getByLabel('Your comment').fill('First comment <i>here</i>');
    await form('New comment').getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('First comment <i>here</i>').waitFor();

    await page.getByRole('button', { name: 'Reply to @web_tester' }).click();
    await form('Reply form').getByLabel('Your reply').fill('A reply to the first');
    await form('Reply form').getByRole('button', { name: 'Post reply' }).click();
    // The reply is shown nested under its parent.
    await page.locator('.thread .thread').getByText('A reply to the first').waitFor();
    expect(await form('Reply form').count()).toBe(0);

    const shot = join(workDir, 'post.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    expect(dialogs).toEqual([]);

    // What the browser did is what the API stored: the reply's parent is the comment.
    const stored = await gql<{
      post: { comments: { edges: { node: { id: string; body: string; parent: { id: string } | null } }[] } };
    }>(
      stack.gateway.graphqlUrl,
      'query($id: ID!) { post(id: $id) { comments { edges { node { id body parent { id } } } } } }',
      {
        id: postId,
      },
    );
    const [reply, comment] = stored.data!.post.comments.edges.map((e) => e.node);
    expect(comment).toMatchObject({ body: 'First comment <i>here</i>', parent: null });
    expect(reply).toMatchObject({ body: 'A reply to the first', parent: { id: comment!.id } });
  }, 120_000);

  it('restores the session after a reload and signs out', async () => {
    await page.reload();
    await page.getByTestId('signed-in-handle').waitFor();
    expect(await page.getByTestId('signed-in-handle').textContent()).toBe('@web_tester');

    await page.getByTestId('signed-in-handle').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await page.getByRole('button', { name: 'Reply to @web_tester' }).count()).toBe(0);

    // Signed out, a wrong password is refused next to the sign-in form.
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    const signIn = form('Sign in');
    await signIn.getByLabel('Email').fill('web@example.com');
    await signIn.getByLabel('Password').fill('Wrong-password-123');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('alert').getByText('UNAUTHENTICATED').waitFor();

    await signIn.getByLabel('Password').fill('Correct-horse-battery-9');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-handle').waitFor();
    await page.getByRole('link', { name: 'Web Panel' }).waitFor();
  }, 60_000);

  it('refreshes the session once when the API answers UNAUTHENTICATED, then retries', async () => {
    const operations: string[] = [];
    let expired = false;
    await page.route('**/graphql', async (route) => {
      const request = route.request();
      const body = request.postData() ?? '';
      operations.push(/(mutation|query) (\w+)/.exec(body)?.[2] ?? '?');
      // The first signed-in createPanel is answered as if the access token had expired.
      if (!expired && body.includes('createPanel') && request.headers()['authorization']) {
        expired = true;
        await route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({ errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] }),
        });
        return;
      }
      await route.continue();
    });
    await page.getByRole('link', { name: 'Agora' }).click();
    const newPanel = form('New panel');
    await newPanel.getByLabel('Panel name').fill('Refreshed Panel');
    await newPanel.getByRole('button', { name: 'Create panel' }).click();
    await page.getByRole('heading', { name: 'Refreshed Panel' }).waitFor();
    await page.unroute('**/graphql');
    const sinceCreate = operations.slice(operations.indexOf('CreatePanel'));
    expect(sinceCreate.slice(0, 3)).toEqual(['CreatePanel', 'RefreshSession', 'CreatePanel']);
    expect(sinceCreate.filter((name) => name === 'RefreshSession')).toHaveLength(1);

    // The rotated refresh token was kept: a reload still signs in.
    await page.reload();
    await page.getByTestId('signed-in-handle').waitFor();
  }, 60_000);
});
