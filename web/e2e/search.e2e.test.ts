import type { Page } from 'playwright-core';
import { gql, waitFor } from '@agora/kit/testing';
import {
  api,
  checkPage,
  describeWithChromium,
  registerUser,
  signedInContext,
  startApp,
  type AppUnderTest,
  type TestUser,
} from './support';

/**
 * Search in Debian's Chromium, against one embedded stack: the header's box, the results page
 * with its type and tag filters, highlights shown as text with only the matches marked,
 * infinite scroll, opening a result, and the empty, corrected and no-result states.
 */
describeWithChromium('search in the web app', () => {
  let app: AppUnderTest;
  let sally: TestUser;
  let sam: TestUser;
  let page: Page;
  const posts: Record<string, string> = {};

  const createPost = async (who: TestUser, panelId: string, title: string, body: string, tags: string[] = []) =>
    (
      await api<{ createPost: { id: string } }>(
        app,
        who,
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { panelId, title, body, tags } },
      )
    ).createPost.id;
  const totalFor = async (query: string) =>
    (
      await gql<{ search: { totalCount: number } }>(
        app.graphqlUrl,
        'query($q: String!) { search(query: $q) { totalCount } }',
        { q: query },
      )
    ).data?.search.totalCount;
  const results = (p: Page) => p.getByTestId('search-result');
  const count = (p: Page) => p.locator('.result-count');
  const kinds = async (p: Page) =>
    (await results(p).evaluateAll((items) => items.map((i) => i.getAttribute('data-kind')))).sort();

  beforeAll(async () => {
    app = await startApp();
    [sally, sam] = await Promise.all([registerUser(app, 'sally', 'Sally Ride'), registerUser(app, 'sam', 'Sam Hill')]);
    const { createPanel } = await api<{ createPanel: { id: string } }>(
      app,
      sally,
      'mutation { createPanel(input: { name: "Night sky" }) { id } }',
    );
    posts.nebula = await createPost(
      sally,
      createPanel.id,
      'Nebula photography',
      'Long exposures of the Orion nebula.',
      ['imaging'],
    );
    posts.markup = await createPost(
      sam,
      createPanel.id,
      'Filters for nebula imaging',
      'I tried <img src=x onerror=alert(1)> as a joke; the nebula filter works & so does <b>this</b>.',
      ['gear'],
    );
    await api(app, sam, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
      input: { postId: posts.nebula, body: 'Which nebula filter did you use with the refractor?' },
    });
    await api(
      app,
      sam,
      'mutation { updateProfile(input: { displayName: "Sam Nebula Hill", bio: "Stargazer" }) { id } }',
    );
    for (let i = 0; i < 25; i++) {
      await createPost(sally, createPanel.id, `Galaxy log ${i + 1}`, `Galaxy observing notes, night ${i + 1}.`, [
        'log',
      ]);
    }
    await waitFor(
      'the index',
      async () => (await totalFor('galaxy')) === 25 && (await totalFor('nebula')) === 4,
      30_000,
    );
    page = await (await signedInContext(app, sam)).newPage();
  }, 180_000);
  afterAll(() => app?.close());
  afterEach(() => {
    expect(app.errors.splice(0)).toEqual([]);
  });

  it('searches from the header, filters by kind and tag, and opens a result', async () => {
    await page.goto(app.url);
    const box = page.getByRole('search', { name: 'Search Agora' }).getByRole('searchbox');
    await box.fill('nebula');
    await box.press('Enter');
    await page.waitForURL(/\/search\?q=nebula$/);
    // The page's own field takes over from the header's.
    expect(await page.getByRole('search', { name: 'Search Agora' }).count()).toBe(0);
    expect(await page.getByLabel('Search posts, comments, pictures and people').inputValue()).toBe('nebula');
    await count(page).getByText('4 results').waitFor();
    expect(await kinds(page)).toEqual(['Comment', 'Post', 'Post', 'User']);
    await checkPage(page, 'search-results');

    // Highlights: the content is text (the <img> in the post is not an image), only matches are marked.
    const markup = results(page).filter({ hasText: 'Filters for nebula imaging' });
    const snippet = markup.locator('.snippet');
    expect(await snippet.textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await snippet.locator('img, b').count()).toBe(0);
    expect(await snippet.locator('mark').allTextContents()).toEqual(['nebula']);
    expect(await page.locator('main img').count()).toBe(0);

    await page.getByRole('button', { name: 'Posts', pressed: false }).click();
    await page.waitForURL(/type=POST/);
    await count(page).getByText('2 results').waitFor();
    expect(await kinds(page)).toEqual(['Post', 'Post']);
    await page.getByRole('button', { name: 'People' }).click();
    await count(page).getByText('3 results').waitFor();
    expect(await kinds(page)).toEqual(['Post', 'Post', 'User']);

    const tagForm = page.getByRole('form', { name: 'Keep results with a tag' });
    await tagForm.getByLabel('With the tag').fill('imag');
    await tagForm.getByRole('button', { name: 'Add tag' }).click();
    await page.waitForURL(/tag=imag$/);
    await count(page).getByText('No results').waitFor();
    await page.getByText('Nothing matches “nebula” with these filters.').waitFor();
    await page.getByRole('button', { name: 'Remove the tag imag' }).click();
    await tagForm.getByLabel('With the tag').fill('imaging');
    await tagForm.getByLabel('With the tag').press('Enter');
    await count(page).getByText('1 result').waitFor();
    expect(await results(page).locator('.item-title').allTextContents()).toEqual(['Nebula photography']);

    await results(page).getByRole('link', { name: 'Nebula photography' }).click();
    await page.waitForURL(new RegExp(`/post/${posts.nebula}$`));
    await page.locator('h1').getByText('Nebula photography').waitFor();
    await page.goBack();
    await count(page).getByText('1 result').waitFor();
  });

  it('follows the typing, loads more results as the list scrolls, and links people and comments', async () => {
    await page.goto(`${app.url}/search`);
    const field = page.getByLabel('Search posts, comments, pictures and people');
    await field.fill('galax');
    // No Enter: the last word matches as a prefix while it is typed.
    await count(page).getByText('25 results').waitFor();
    expect(await results(page).count()).toBe(20);
    await page.getByRole('button', { name: 'More results' }).scrollIntoViewIfNeeded();
    await waitFor('the next page', async () => (await results(page).count()) === 25);
    expect(await page.getByRole('button', { name: 'More results' }).count()).toBe(0);

    await field.fill('stargazer');
    await count(page).getByText('1 result').waitFor();
    await results(page).getByRole('link', { name: 'Sam Nebula Hill (@sam)' }).click();
    await page.waitForURL(/\/u\/sam$/);

    await page.goto(`${app.url}/search?q=refractor`);
    await count(page).getByText('1 result').waitFor();
    await results(page).getByRole('link', { name: 'Comment on “Nebula photography”' }).click();
    await page.waitForURL(new RegExp(`/post/${posts.nebula}#comment-`));
  });

  it('shows what to do before a search, the corrected query, and when nothing matches', async () => {
    await page.goto(`${app.url}/search`);
    await page.getByText('Type what you are looking for.').waitFor();
    await page.getByRole('list', { name: 'Popular tags' }).getByRole('link', { name: /#log/ }).waitFor();
    await checkPage(page, 'search-start');

    const field = page.getByLabel('Search posts, comments, pictures and people');
    await field.fill('nebulla');
    await field.press('Enter');
    await count(page).getByText('4 results for nebula (nothing matched “nebulla”)').waitFor();

    await field.fill('qqqzzzxxx');
    await field.press('Enter');
    await page.getByText('Nothing matches “qqqzzzxxx”.').waitFor();
    await checkPage(page, 'search-no-results');
  });
});
