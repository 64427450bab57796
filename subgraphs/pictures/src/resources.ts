import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { FsBlobStore } from '@agora/kit/blobs/fs';
import type { BlobStore } from '@agora/kit/blobs/port';
import type { EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import type { Outbox } from '@agora/kit/outbox';
import { openServiceStore } from '@agora/kit/service-store';
import type { PicturesSettings } from './config';
import { migrations } from './store/migrations';
import { PictureStore } from './store/pictures';

/** What both the subgraph and the standalone worker open: the database, its outbox relay, the blobs. */
export interface PictureResources {
  db: DataSource;
  outbox: Outbox;
  store: PictureStore;
  blobs: BlobStore;
  close(): Promise<void>;
}

export async function openResources(
  host: { databaseUrl?: string; dataDir?: string; events: EventLog; log: Logger },
  settings: PicturesSettings,
): Promise<PictureResources> {
  const serviceStore = await openServiceStore(host, { service: 'pictures', migrations });
  const { db, outbox } = serviceStore;
  // Data kept in memory (tests, throwaway stacks): blobs go to a temp folder removed on close.
  const blobDir =
    settings.blobDir ?? (host.dataDir ? join(host.dataDir, 'blobs') : mkdtempSync(join(tmpdir(), 'agora-blobs-')));
  const ephemeral = !settings.blobDir && !host.dataDir;
  const blobs = new FsBlobStore(blobDir);
  return {
    db,
    outbox,
    store: new PictureStore(db, outbox),
    blobs,
    close: async () => {
      await serviceStore.close();
      await blobs.close();
      if (ephemeral) rmSync(blobDir, { recursive: true, force: true });
    },
  };
}
