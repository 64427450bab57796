import { join } from 'node:path';
import { MemoryCache } from './cache/memory';
import type { Cache } from './cache/port';
import { MemoryDocumentStore } from './documents/memory';
import type { DocumentStore } from './documents/port';
import { MemoryEventLog } from './events/memory';
import type { EventLog } from './events/port';
import { MemoryJobQueue } from './jobs/memory';
import type { JobQueue } from './jobs/port';
import { MemoryNotices } from './notices/memory';
import type { Notices } from './notices/port';

/** The ports a service can use. One Infra is shared by every service of a process. */
export interface Infra {
  cache: Cache;
  events: EventLog;
  jobs: JobQueue;
  documents: DocumentStore;
  notices: Notices;
  close(): Promise<void>;
}

/** Embedded mode: everything in process; documents persisted under dataDir. */
export function embeddedInfra(dataDir?: string): Infra {
  const infra = {
    cache: new MemoryCache(),
    events: new MemoryEventLog(),
    jobs: new MemoryJobQueue(),
    documents: new MemoryDocumentStore(dataDir ? join(dataDir, 'documents') : undefined),
    notices: new MemoryNotices(),
    close: async () => {
      await Promise.all([
        infra.cache.close(),
        infra.events.close(),
        infra.jobs.close(),
        infra.documents.close(),
        infra.notices.close(),
      ]);
    },
  };
  return infra;
}
