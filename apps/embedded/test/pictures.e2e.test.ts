import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { waitFor, codes, gql, STACK_START_TIMEOUT_MS } from '@agora/kit/testing';
import { startEmbeddedStack, type EmbeddedStack } from '../src/stack';
import { wsClient, wsSubscribe, type Received } from '../../../gateway/test/subscription-clients';

const PICTURE = 'id title status width height contentType byteSize url thumbnailUrl owner { id handle }';

interface Picture {
  id: string;
  title: string;
  status: string;
  width: number;
  height: number;
  url: string;
  thumbnailUrl: string | null;
  owner: { id: string; handle: string };
}

/** Pictures through the gateway of an embedded stack, with users signed in through auth. */
describe('pictures through the gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agora-pictures-e2e-'));
  const blobDir = join(dataDir, 'blobs', 'pictures');
  let stack: EmbeddedStack;
  let url: string;
  let origin: string;

  const call = <D>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    gql<D>(url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  const signUp = async (handle: string) => {
    const res = await call<{ register: { accessToken: string; user: { id: string } } }>(
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
      { input: { email: `${handle}@example.com`, password: 'Correct-horse-battery-9', handle } },
    );
    expect(res.errors).toBeUndefined();
    return { token: res.data!.register.accessToken, id: res.data!.register.user.id };
  };
  const upload = (token: string, input: Record<string, unknown>) =>
    call<{ uploadPicture: Picture }>(
      `mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { ${PICTURE} } }`,
      { input },
      token,
    );
  const picture = async (id: string) =>
    (await call<{ picture: Picture | null }>(`query($id: ID!) { picture(id: $id) { ${PICTURE} } }`, { id })).data
      ?.picture ?? null;
  const waitForReady = async (id: string): Promise<Picture> =>
    (await waitFor(`picture ${id} READY`, async () => {
      const found = await picture(id);
      return found?.status === 'READY' ? found : undefined;
    }))!;
  const bytesOf = async (path: string) => {
    const res = await fetch(`${origin}${path}`);
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    stack = await startEmbeddedStack({ dataDir, gatewayPort: 0, subgraphPort: () => 0 });
    url = stack.gateway.graphqlUrl;
    origin = stack.gateway.url;
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => stack?.close());

  it('takes a real PNG from PROCESSING to READY; its URLs serve bytes of the stated size', async () => {
    const ada = await signUp('ada_pics');
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#2a6f97' } })
      .png()
      .toBuffer();
    const res = await upload(ada.token, {
      title: 'Lighthouse',
      tags: ['sea'],
      dataBase64: png.toString('base64'),
      contentType: 'image/png',
    });
    expect(res.errors).toBeUndefined();
    const uploaded = res.data!.uploadPicture;
    expect(uploaded).toMatchObject({ status: 'PROCESSING', width: 800, height: 600, thumbnailUrl: null });

    const ready = await waitForReady(uploaded.id);
    expect(ready.owner).toEqual({ id: ada.id, handle: 'ada_pics' });

    const original = await bytesOf(ready.url);
    expect(original.res.status).toBe(200);
    expect(original.res.headers.get('content-type')).toBe('image/png');
    expect(original.res.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(original.res.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(original.bytes.equals(png)).toBe(true);
    expect(await sharp(original.bytes).metadata()).toMatchObject({ width: 800, height: 600 });
    const again = await fetch(`${origin}${ready.url}`, {
      headers: { 'if-none-match': original.res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);

    const thumbnail = await bytesOf(ready.thumbnailUrl!);
    expect(thumbnail.res.status).toBe(200);
    expect(thumbnail.res.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });

    const mine = await call<{ me: { pictures: { edges: { node: { id: string } }[] } } }>(
      '{ me { pictures(first: 5) { edges { node { id } } } } }',
      {},
      ada.token,
    );
    expect(mine.data!.me.pictures.edges.map((e) => e.node.id)).toEqual([uploaded.id]);
  });

  it('refuses bad uploads with BAD_USER_INPUT, an oversized one included, leaving nothing behind', async () => {
    const bo = await signUp('bo_pics');
    const blobsBefore = existsSync(blobDir) ? readdirSync(blobDir).sort() : [];
    const oversized = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(10 * 1024 * 1024),
    ]);
    for (const input of [
      { dataBase64: Buffer.from('not an image at all').toString('base64'), contentType: 'image/png' },
      { dataBase64: 'iVBORw0K%%%=', contentType: 'image/png' },
      { dataBase64: oversized.toString('base64'), contentType: 'image/png' },
    ]) {
      expect(codes(await upload(bo.token, { title: 'bad', ...input }))).toEqual(['BAD_USER_INPUT']);
    }
    const listed = await call<{ pictures: { edges: unknown[] } }>(
      'query($o: ID) { pictures(ownerId: $o) { edges { cursor } } }',
      {
        o: bo.id,
      },
    );
    expect(listed.data!.pictures.edges).toEqual([]);
    expect(existsSync(blobDir) ? readdirSync(blobDir).sort() : []).toEqual(blobsBefore);
  });

  it('deletes a picture for its owner only: FORBIDDEN for others, then its blobs are gone and its URLs 404', async () => {
    const owner = await signUp('cy_pics');
    const other = await signUp('di_pics');
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const { data } = await upload(owner.token, {
      title: 'Doomed',
      dataBase64: png.toString('base64'),
      contentType: 'image/png',
    });
    const id = data!.uploadPicture.id;
    const ready = await waitForReady(id);
    expect(readdirSync(join(blobDir, id)).sort()).toEqual(['original', 'thumbnail']);

    const remove = (token?: string) =>
      call<{ deletePicture: boolean }>('mutation($id: ID!) { deletePicture(id: $id) }', { id }, token);
    expect(codes(await remove(other.token))).toEqual(['FORBIDDEN']);
    expect(codes(await remove())).toEqual(['UNAUTHENTICATED']);
    expect((await bytesOf(ready.url)).res.status).toBe(200);

    expect((await remove(owner.token)).data).toEqual({ deletePicture: true });
    expect(await picture(id)).toBeNull();
    expect(existsSync(join(blobDir, id))).toBe(false);
    for (const path of [ready.url, ready.thumbnailUrl!]) expect((await bytesOf(path)).res.status).toBe(404);
  });

  it('tells pictureProcessed subscribers (WebSocket) about their own pictures only', async () => {
    const owner = await signUp('ed_pics');
    const other = await signUp('flo_pics');
    const clients = [wsClient(url, `Bearer ${owner.token}`), wsClient(url, `Bearer ${other.token}`)];
    const query = `subscription { pictureProcessed { ${PICTURE} } }`;
    const [mine, theirs] = clients.map((client) => wsSubscribe(client, query)) as [Received, Received];
    const processed = (received: Received) =>
      received.results.map((r) => (r.data as { pictureProcessed: Picture }).pictureProcessed);
    const png = await sharp({ create: { width: 50, height: 40, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const uploadAs = async (token: string) => {
      const { data } = await upload(token, {
        title: 'Live',
        dataBase64: png.toString('base64'),
        contentType: 'image/png',
      });
      await waitForReady(data!.uploadPicture.id);
      return data!.uploadPicture.id;
    };
    try {
      // Subscriptions start asynchronously: keep uploading until the first payload arrives.
      const ids: string[] = [];
      await waitFor('a pictureProcessed payload', async () => {
        ids.push(await uploadAs(owner.token));
        return mine.results.length > 0;
      });
      const payload = processed(mine)[0]!;
      expect(ids).toContain(payload.id);
      expect(payload).toMatchObject({ status: 'READY', owner: { handle: 'ed_pics' } });
      expect(payload.thumbnailUrl).toBe(`/media/pictures/${payload.id}/thumbnail`);
      const owners = [...ids];
      await waitFor("every one of the owner's pictures", () =>
        owners.every((id) => processed(mine).some((p) => p.id === id)),
      );
      // The other user's subscription is live (it hears of their own picture), and heard of no other.
      await waitFor("the other user's subscription", async () => {
        ids.push(await uploadAs(other.token));
        return theirs.results.length > 0;
      });
      expect(processed(theirs).filter((p) => owners.includes(p.id))).toEqual([]);
      expect(new Set(processed(theirs).map((p) => p.owner.handle))).toEqual(new Set(['flo_pics']));
      expect(processed(mine).every((p) => p.owner.handle === 'ed_pics')).toBe(true);
      expect([mine.errors, theirs.errors]).toEqual([[], []]);
    } finally {
      for (const client of clients) await client.dispose();
    }
  });

  it('proxies only /media/ paths to the pictures subgraph', async () => {
    expect((await fetch(`${origin}/media/pictures/00000000-0000-4000-8000-000000000000/original`)).status).toBe(404);
    // Sent as written (fetch would normalize the dots away before sending).
    const statusOf = (path: string) =>
      new Promise<number>((resolve, reject) =>
        request({ host: '127.0.0.1', port: stack.gateway.port, path }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end(),
      );
    expect(await statusOf('/media/../graphql?query=%7B__typename%7D')).toBe(404);
    expect(await statusOf('/media/%2e%2e/graphql?query=%7B__typename%7D')).toBe(404);
    expect((await fetch(`${origin}/media/pictures/x/original`, { method: 'POST' })).status).toBe(405);
  });
});
