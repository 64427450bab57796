import type { RunningService, ServiceDefinition, ServiceRuntime } from '@agora/kit/service';
import { serveSubgraph } from '@agora/kit/subgraph';
import { picturesSettings, type PicturesSettings } from './config';
import type { Context } from './context';
import { startSweeper } from './jobs/sweeper';
import { startThumbnailWorker } from './jobs/thumbnails';
import { mediaRoute } from './media/http';
import { Pictures } from './pictures';
import { openResources } from './resources';
import { resolvers } from './resolvers';

/** The pictures subgraph: uploads, media serving, and (inline mode) the thumbnail worker. Wiring only. */
export const picturesService: ServiceDefinition = {
  name: 'pictures',
  // Uploads are base64 in a mutation (10 MiB of image is ~13.4 MiB of text): accept what the
  // gateway accepts (its MAX_BODY_BYTES default).
  maxBodyBytes: 15 * 1024 * 1024,
  start: (runtime) => startPictures(runtime, picturesSettings()),
};

export async function startPictures(runtime: ServiceRuntime, settings: PicturesSettings): Promise<RunningService> {
  const { infra, log } = runtime;
  const resources = await openResources(
    { databaseUrl: runtime.databaseUrl, dataDir: runtime.dataDir, events: infra.events, log },
    settings,
  );
  const { db, store, blobs } = resources;
  const pictures = new Pictures(store, blobs, infra.jobs, log, () => sweeper.soon());
  const worker =
    settings.worker === 'inline'
      ? await startThumbnailWorker({
          store,
          blobs,
          jobs: infra.jobs,
          notices: infra.notices,
          log,
          concurrency: settings.workerConcurrency,
          testHoldMs: settings.testHoldMs,
        })
      : undefined;
  const sweeper = startSweeper({
    store,
    jobs: infra.jobs,
    log,
    intervalMs: settings.sweepIntervalMs,
    staleAfterMs: settings.staleJobMs,
  });
  const server = await serveSubgraph<Context>(runtime, {
    name: 'pictures',
    db,
    resolvers,
    context: (base) => ({ ...base, store, pictures }),
    // /media/pictures/<id>/original|thumbnail (the gateway proxies /media/ here).
    fallback: mediaRoute(store, blobs),
  });
  return {
    ...server,
    close: async () => {
      await server.close();
      await sweeper.stop();
      await worker?.stop();
      await resources.close();
    },
  };
}
