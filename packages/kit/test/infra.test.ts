import { randomUUID } from 'node:crypto';
import { MemoryCache } from '../src/cache/memory';
import { RedisCache } from '../src/cache/redis';
import { MemoryDocumentStore } from '../src/documents/memory';
import { MongoDocumentStore } from '../src/documents/mongo';
import { KafkaEventLog } from '../src/events/kafka';
import { MemoryEventLog } from '../src/events/memory';
import { createInfra } from '../src/infra';
import { MemoryJobQueue } from '../src/jobs/memory';
import { RabbitJobQueue } from '../src/jobs/rabbitmq';
import { createLogger } from '../src/log';
import { MemoryNotices } from '../src/notices/memory';
import { RabbitNotices } from '../src/notices/rabbitmq';
import { describeWithService } from '../src/testing';

const log = createLogger('infra-test');

describe('createInfra', () => {
  it('keeps every port in process when no server is configured', async () => {
    const infra = await createInfra({}, { service: 'forum', log });
    expect(infra.cache).toBeInstanceOf(MemoryCache);
    expect(infra.events).toBeInstanceOf(MemoryEventLog);
    expect(infra.jobs).toBeInstanceOf(MemoryJobQueue);
    expect(infra.notices).toBeInstanceOf(MemoryNotices);
    expect(infra.documents).toBeInstanceOf(MemoryDocumentStore);
    await infra.close();
  });

  it('fails to start on an unreachable server, and closes what it had opened', async () => {
    // Opened in order: cache (Redis), events (in process), then the job queue, whose server is away.
    const closed = [
      jest.spyOn(RedisCache.prototype, 'close'),
      jest.spyOn(MemoryEventLog.prototype, 'close'),
      jest.spyOn(RabbitNotices, 'open'),
    ];
    try {
      const env = { REDIS_URL: 'redis://127.0.0.1:1', AMQP_URL: 'amqp://127.0.0.1:1' };
      await expect(createInfra(env, { service: 'forum', log })).rejects.toThrow(/ECONNREFUSED/);
      const [redisClosed, eventsClosed, noticesOpened] = closed;
      expect(redisClosed).toHaveBeenCalledTimes(1);
      expect(eventsClosed).toHaveBeenCalledTimes(1);
      expect(noticesOpened).not.toHaveBeenCalled(); // nothing after the failure is opened
    } finally {
      for (const spy of closed) spy.mockRestore();
    }
  }, 30_000);
});

describeWithService(['REDIS_URL', 'KAFKA_BROKERS', 'AMQP_URL', 'MONGO_URL'], 'createInfra on devstack', () => {
  it('picks the real adapter of each port its env names, and they work', async () => {
    const infra = await createInfra(process.env, { service: 'forum', log });
    try {
      expect(infra.cache).toBeInstanceOf(RedisCache);
      expect(infra.events).toBeInstanceOf(KafkaEventLog);
      expect(infra.jobs).toBeInstanceOf(RabbitJobQueue);
      expect(infra.notices).toBeInstanceOf(RabbitNotices);
      expect(infra.documents).toBeInstanceOf(MongoDocumentStore);
      const key = `infra-test:${randomUUID()}`;
      await infra.cache.set(key, { ok: true }, 10_000);
      expect(await infra.cache.get(key)).toEqual({ ok: true });
      await infra.cache.delete(key);
    } finally {
      await infra.close();
    }
  });
});
