import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { waitFor } from '@agora/kit/testing';
import {
  DESKTOP,
  PHONE,
  api,
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

const UPLOAD = `mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { id } }`;
/** The gallery's page size: seeding more than one page makes infinite scroll load another. */
const PAGE_SIZE = 24;

const png = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

/** Noise compresses badly: a PNG big enough for the upload's progress to be seen. */
const noisyPng = (width: number, height: number) => {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
};

/**
 * Pictures in the browser: the gallery (grid, infinite scroll, filters by tag and owner),
 * uploads checked before sending, with preview, drag and drop and progress, a thumbnail
 * that appears without a reload once processed, the picture page and deletion.
 */
describeWithChromium('pictures in the web app', () => {
  let app: AppUnderTest;
  let ada: TestUser;
  let bob: TestUser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    app = await startApp();
    [ada, bob] = await Promise.all([registerUser(app, 'ada', 'Ada Lovelace'), registerUser(app, 'bob', 'Bob Builder')]);
    const image = (await png(64, 48, '#3a7bd5')).toString('base64');
    // One page and a bit of Bob's pictures, every third tagged "cats"; four at a time, in order ("Bob 25" is among the newest).
    for (let batch = 0; batch < PAGE_SIZE + 2; batch += 4) {
      const numbers = Array.from({ length: 4 }, (_, n) => batch + n).filter((n) => n < PAGE_SIZE + 2);
      await Promise.all(
        numbers.map((n) =>
          api(app, bob, UPLOAD, {
            input: {
              title: `Bob ${n}`,
              tags: n % 3 === 0 ? ['cats'] : ['dogs'],
              contentType: 'image/png',
              dataBase64: image,
            },
          }),
        ),
      );
    }
    await waitFor('the seeded thumbnails', async () => {
      const { pictures } = await api<{ pictures: { edges: { node: { status: string } }[] } }>(
        app,
        null,
        '{ pictures(first: 100) { edges { node { status } } } }',
      );
      return pictures.edges.every((e) => e.node.status === 'READY') || undefined;
    });
    context = await signedInContext(app, ada);
    page = await context.newPage();
  }, 180_000);
  afterAll(() => app?.close());
  afterEach(() => {
    expect(app.errors.splice(0)).toEqual([]);
  });

  const cards = (p: Page) => p.getByTestId('picture-card');

  it('shows a grid of thumbnails that loads more on scrolling, filtered by tag or owner', async () => {
    await page.goto(`${app.url}/pictures`);
    await waitSignedIn(page, 'ada');
    await cards(page)
      .nth(PAGE_SIZE - 1)
      .waitFor();
    expect(await cards(page).first().getByRole('img').getAttribute('src')).toMatch(/^\/media\/pictures\/.+\/thumbnail/);
    await checkPage(page, 'pictures');

    // Infinite scroll, on a phone where the end of the first page is far below: nothing more
    // loads until the reader scrolls there, then the next page does, without a click.
    await page.setViewportSize(PHONE);
    await page.goto(`${app.url}/pictures`);
    await cards(page)
      .nth(PAGE_SIZE - 1)
      .waitFor();
    await page.getByRole('button', { name: 'More pictures' }).waitFor();
    expect(await cards(page).count()).toBe(PAGE_SIZE);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await cards(page)
      .nth(PAGE_SIZE + 1)
      .waitFor();
    expect(await cards(page).count()).toBe(PAGE_SIZE + 2);
    await page.setViewportSize(DESKTOP);

    const filters = page.getByRole('search', { name: 'Filter pictures' });
    await filters.getByLabel('Tag').fill('cats');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/pictures\?tag=cats$/);
    await waitFor('only cats', async () => ((await cards(page).count()) === 9 ? true : undefined));
    expect(await page.title()).toBe('Pictures tagged #cats · Agora');

    await filters.getByLabel('Tag').fill('');
    await filters.getByLabel('Owner’s handle').fill('@ada');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No pictures match these filters.').waitFor();
    await filters.getByLabel('Owner’s handle').fill('nobody_at_all');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Nobody has the handle @nobody_at_all.').waitFor();
    await filters.getByLabel('Owner’s handle').fill('bob');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/pictures\?owner=bob$/);
    await cards(page)
      .nth(PAGE_SIZE - 1)
      .waitFor();
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/pictures$/);
    // Every owner's pictures again.
    await cards(page).filter({ hasText: 'Bob 25' }).waitFor();
    expect(await page.getByRole('search').getByLabel('Owner’s handle').inputValue()).toBe('');
  }, 90_000);

  it('checks type and size before sending, previews a dropped image, shows progress, and the thumbnail arrives live', async () => {
    await page.goto(`${app.url}/pictures`);
    await waitSignedIn(page, 'ada');
    await page.getByRole('button', { name: 'Upload a picture' }).click();
    const upload = page.getByRole('form', { name: 'Upload a picture' });
    const file = upload.getByLabel('Image file');
    const sent: string[] = [];
    page.on(
      'request',
      (request) => request.postData()?.includes('"operationName":"UploadPicture"') && sent.push(request.url()),
    );

    await file.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await upload.getByRole('button', { name: 'Upload' }).click();
    await upload.getByText('“notes.txt” is not a PNG, JPEG, WebP or GIF image.').waitFor();
    expect(await file.getAttribute('aria-invalid')).toBe('true');
    await file.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024) });
    await upload.getByText('This image is 11.0 MB; the limit is 10.0 MB.').waitFor();
    await upload.getByRole('button', { name: 'Upload' }).click();
    expect(sent).toEqual([]);

    // Dropped on the zone: the preview shows and the title comes from the file name.
    const bytes = await noisyPng(700, 500);
    await page.getByTestId('dropzone').evaluate((zone: HTMLElement, base64: string) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], 'Sunset over the bay.png', { type: 'image/png' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes.toString('base64'));
    const preview = upload.getByRole('img', { name: 'Preview of the chosen image' });
    await preview.waitFor();
    await waitFor('the preview decoded', async () =>
      (await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)) === 700 ? true : undefined,
    );
    expect(await upload.getByLabel('Title').inputValue()).toBe('Sunset over the bay');
    await upload.getByLabel('Tags (comma-separated)').fill('sunset, sea');
    await checkPage(page, 'upload');

    // A slow uplink, so the progress bar is seen moving.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 400 * 1024,
    });
    await waitForSubscription(page, 'PictureProcessed');
    await upload.getByRole('button', { name: 'Upload' }).click();
    const progress = upload.getByRole('progressbar');
    await progress.waitFor();
    await waitFor('progress part way', async () => {
      const value = Number((await progress.getAttribute('value').catch(() => null)) ?? 0);
      return value > 0 && value < 1 ? true : undefined;
    });
    await upload.getByText('Uploaded “Sunset over the bay”. Its thumbnail is being made.').waitFor({ timeout: 30_000 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    // In the grid at once, then its thumbnail replaces the placeholder, with no reload.
    const card = cards(page).filter({ hasText: 'Sunset over the bay' });
    await card.waitFor();
    await card.locator('img.thumb').waitFor();
    expect(await card.getAttribute('data-status')).toBe('READY');
    const thumbnail = await card.locator('img').getAttribute('src');
    expect(thumbnail).toMatch(/\/thumbnail/);
    const pushed = receivedOverWebSocket(page).map((m) => m.data as { pictureProcessed?: { title: string } });
    expect(pushed.some((d) => d.pictureProcessed?.title === 'Sunset over the bay')).toBe(true);
    expect(await page.evaluate(() => window.performance.getEntriesByType('navigation').length)).toBe(1);
    expect(sent).toHaveLength(1);
  }, 90_000);

  it('shows a picture at full size with its details, links its tags, and deletes it for its owner', async () => {
    await cards(page).filter({ hasText: 'Sunset over the bay' }).getByRole('link').first().click();
    await page.locator('h1').getByText('Sunset over the bay').waitFor();
    const full = page.locator('figure img');
    await waitFor('the full image', async () =>
      (await full.evaluate((img: HTMLImageElement) => img.naturalWidth)) === 700 ? true : undefined,
    );
    await page.getByText(/700×500 · PNG/).waitFor();
    await checkPage(page, 'picture');

    // Others see no delete button.
    const bobs = await (await signedInContext(app, bob)).newPage();
    await bobs.goto(page.url());
    await waitSignedIn(bobs, 'bob');
    await bobs.locator('h1').getByText('Sunset over the bay').waitFor();
    expect(await bobs.getByRole('button', { name: 'Delete picture' }).count()).toBe(0);
    await bobs.context().close();

    await page.getByRole('link', { name: '#sunset' }).click();
    await page.waitForURL(/\/pictures\?tag=sunset$/);
    await cards(page).first().waitFor();
    expect(await cards(page).count()).toBe(1);
    await cards(page).first().getByRole('link').first().click();
    await page.getByRole('button', { name: 'Delete picture' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.waitForURL(/\/pictures\?owner=ada$/);
    await page.getByText('No pictures match these filters.').waitFor();
    const { pictures } = await api<{ pictures: { edges: unknown[] } }>(
      app,
      null,
      'query($id: ID) { pictures(ownerId: $id) { edges { cursor } } }',
      { id: ada.id },
    );
    expect(pictures.edges).toEqual([]);
  }, 60_000);
});
