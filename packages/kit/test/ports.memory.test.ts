import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCache } from '../src/cache/memory';
import {
  cacheContract,
  documentStoreContract,
  eventLogContract,
  noticesContract,
  jobQueueContract,
} from '../src/testing';
import { MemoryDocumentStore } from '../src/documents/memory';
import { MemoryEventLog } from '../src/events/memory';
import { MemoryJobQueue } from '../src/jobs/memory';
import { MemoryNotices } from '../src/notices/memory';

cacheContract('memory', async () => new MemoryCache());
eventLogContract('memory', async () => new MemoryEventLog());
jobQueueContract('memory', async () => new MemoryJobQueue());
documentStoreContract('memory', async () => new MemoryDocumentStore());
documentStoreContract('memory persisted to files', async () => {
  // Re-opening the folder must bring the documents back, so each test reads through a fresh instance.
  const dir = mkdtempSync(join(tmpdir(), 'agora-docs-'));
  const writer = new MemoryDocumentStore(dir);
  return {
    insert: async (c, docs) => {
      await writer.insert(c, docs);
    },
    find: (c, f, o) => new MemoryDocumentStore(dir).find(c, f, o),
    count: (c, f) => new MemoryDocumentStore(dir).count(c, f),
    close: () => writer.close(),
  };
});
noticesContract('memory', async () => new MemoryNotices());
