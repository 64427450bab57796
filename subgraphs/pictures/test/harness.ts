import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedInfra, type Infra } from '@agora/kit/infra';
import { createLogger } from '@agora/kit/log';
import type { RunningService } from '@agora/kit/service';
import { testTokens, gql } from '@agora/kit/testing';
import type { Viewer } from '@agora/kit/viewer';
import type { PicturesSettings } from '../src/config';
import { startPictures } from '../src/service';

export const PICTURE_FIELDS =
  'id title tags contentType width height byteSize status url thumbnailUrl createdAt owner { id }';

export interface PictureJson {
  id: string;
  title: string;
  tags: string[];
  contentType: string;
  width: number;
  height: number;
  byteSize: number;
  status: 'PROCESSING' | 'READY' | 'FAILED';
  url: string;
  thumbnailUrl: string | null;
  createdAt: string;
  owner: { id: string };
}

export const userViewer = (): Viewer => ({ id: randomUUID(), roles: ['user'] });

/** The pictures service alone (in-memory PGlite, memory infra, blobs in a temp folder), with real tokens. */
export async function startTestPictures(settings: Partial<PicturesSettings> = {}, infra: Infra = embeddedInfra()) {
  const blobDir = mkdtempSync(join(tmpdir(), 'agora-pictures-blobs-'));
  const tokens = await testTokens();
  const service: RunningService = await startPictures(
    {
      host: '127.0.0.1',
      port: 0,
      log: createLogger('pictures'),
      maxBodyBytes: 15 * 1024 * 1024,
      infra,
      identify: tokens.identify,
    },
    {
      blobDir,
      worker: 'inline',
      workerConcurrency: 2,
      sweepIntervalMs: 60_000,
      staleJobMs: 60_000,
      testHoldMs: 0,
      ...settings,
    },
  );
  const call = async <D>(query: string, variables: Record<string, unknown> = {}, viewer?: Viewer) =>
    gql<D>(service.graphqlUrl, query, variables, viewer ? { authorization: await tokens.bearer(viewer) } : {});
  return {
    service,
    infra,
    blobDir,
    call,
    /** Every file under the blob folder (paths relative to it). */
    blobFiles: () =>
      readdirSync(blobDir, { recursive: true, encoding: 'utf8' })
        .filter((p) => statSync(join(blobDir, p)).isFile())
        .sort(),
    upload: (viewer: Viewer | undefined, input: Record<string, unknown>) =>
      call<{ uploadPicture: PictureJson }>(
        `mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { ${PICTURE_FIELDS} } }`,
        { input },
        viewer,
      ),
    picture: async (id: string) =>
      (
        await call<{ picture: PictureJson | null }>(`query($id: ID!) { picture(id: $id) { ${PICTURE_FIELDS} } }`, {
          id,
        })
      ).data?.picture ?? null,
    /** A media URL (gateway-relative) fetched from the subgraph itself. */
    media: (path: string, init?: RequestInit) => fetch(`${service.url}${path}`, init),
    close: async () => {
      await service.close();
      await infra.close();
    },
  };
}

export type TestPictures = Awaited<ReturnType<typeof startTestPictures>>;
