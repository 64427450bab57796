import { join } from 'node:path';
import { MemoryCache } from './cache/memory';
import type { Cache } from './cache/port';
import { MemoryDocumentStore } from './documents/memory';
import type { DocumentStore } from './documents/port';
import { MemoryEventLog } from './events/memory';
import type { EventLog } from './events/port';
import { MemoryJobQueue } from './jobs/memory';
import type { JobQueue } from './jobs/port';

/** The ports a service can use. One Infra is shared by every service of a process. */
export interface Infra {
  cache: Cache;
  events: EventLog;
  jobs: JobQueue;
  documents: DocumentStore;
  close(): Promise<void>;
}

/** Embedded mode: everything in process; documents persisted under dataDir. */
export function embeddedInfra(dataDir?: string): Infra {
  const infra = {
    cache: new MemoryCache(),
    events: new MemoryEventLog(),
    jobs: new MemoryJobQueue(),
    documents: new MemoryDocumentStore(dataDir ? join(dataDir, 'documents') : undefined),
    close: async () => {
      await Promise.all([infra.cache.close(), infra.events.close(), infra.jobs.close(), infra.documents.close()]);
    },
  };
  return infra;
}
