import { join } from 'node:path';
import { z } from 'zod';
import { infraEnv, loadConfig } from './config';
import { MemoryCache } from './cache/memory';
import type { Cache } from './cache/port';
import { MemoryDocumentStore } from './documents/memory';
import type { DocumentStore } from './documents/port';
import { MemoryEventLog } from './events/memory';
import type { EventLog } from './events/port';
import { MemoryJobQueue } from './jobs/memory';
import type { JobQueue } from './jobs/port';
import type { Logger } from './log';
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

type Ports = Omit<Infra, 'close'>;

function withClose(ports: Ports): Infra {
  return {
    ...ports,
    close: async () => {
      await Promise.all([
        ports.cache.close(),
        ports.events.close(),
        ports.jobs.close(),
        ports.documents.close(),
        ports.notices.close(),
      ]);
    },
  };
}

const memoryDocuments = (dataDir?: string) => new MemoryDocumentStore(dataDir ? join(dataDir, 'documents') : undefined);

/**
 * Embedded mode: everything in process; the event log (history and consumer offsets, so read
 * models can be rebuilt by replaying it) and documents persisted under dataDir.
 */
export function embeddedInfra(dataDir?: string): Infra {
  return withClose({
    cache: new MemoryCache(),
    events: new MemoryEventLog(dataDir ? { dir: join(dataDir, 'events') } : {}),
    jobs: new MemoryJobQueue(),
    documents: memoryDocuments(dataDir),
    notices: new MemoryNotices(),
  });
}

/**
 * The ports chosen by env, each on its own: REDIS_URL (cache), KAFKA_BROKERS (event log,
 * comma-separated host:port), AMQP_URL (job queue and notices), MONGO_URL (documents).
 * A port whose variable is unset stays in process, as in embedded mode.
 */
export async function createInfra(
  env: NodeJS.ProcessEnv,
  options: { dataDir?: string; service: string; log: Logger },
): Promise<Infra> {
  const { log } = options;
  const settings = loadConfig(z.object(infraEnv), env);
  const brokers = settings.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const ports: Partial<Ports> = {};
  try {
    // Each driver is loaded only when its server is configured: a service loads what it uses.
    ports.cache = settings.REDIS_URL
      ? new (await import('./cache/redis')).RedisCache(settings.REDIS_URL, { log })
      : new MemoryCache();
    ports.events = brokers?.length
      ? new (await import('./events/kafka')).KafkaEventLog({ brokers, clientId: options.service, log })
      : new MemoryEventLog();
    ports.jobs = settings.AMQP_URL
      ? await (await import('./jobs/rabbitmq')).RabbitJobQueue.open(settings.AMQP_URL, log)
      : new MemoryJobQueue();
    ports.notices = settings.AMQP_URL
      ? await (await import('./notices/rabbitmq')).RabbitNotices.open(settings.AMQP_URL, log)
      : new MemoryNotices();
    ports.documents = settings.MONGO_URL
      ? await (await import('./documents/mongo')).MongoDocumentStore.open(settings.MONGO_URL)
      : memoryDocuments(options.dataDir);
    return withClose(ports as Ports);
  } catch (error) {
    // A server that is unreachable fails the start; close the ports opened before it.
    await Promise.all(Object.values(ports).map((port) => port.close().catch(() => undefined)));
    throw error;
  }
}
