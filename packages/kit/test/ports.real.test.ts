import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { kafkaTopicConfig, newEvent } from '@agora/contracts/events';
import mongoose from 'mongoose';
import {
  cacheContract,
  postgresPlace,
  sqlContract,
  documentStoreContract,
  eventLogContract,
  jobQueueContract,
  noticesContract,
  tcpProxy,
  waitFor,
  describeWithService,
} from '../src/testing';
import { RedisCache } from '../src/cache/redis';
import { MongoDocumentStore } from '../src/documents/mongo';
import type { DocumentStore } from '../src/documents/port';
import { KafkaEventLog } from '../src/events/kafka';
import type { EventLog } from '../src/events/port';
import type { Job, JobQueue } from '../src/jobs/port';
import { RabbitJobQueue } from '../src/jobs/rabbitmq';
import { createLogger } from '../src/log';
import { RabbitNotices } from '../src/notices/rabbitmq';
import { REPO_ROOT } from '../src/paths';

/**
 * The contract suites against the real servers devstack runs. Each adapter is wrapped only
 * to remove what its test created (topics, queues, databases) when the test closes it.
 */
const log = createLogger('kit-test');

describeWithService('DATABASE_URL', 'PostgreSQL', (url) => {
  sqlContract('postgres', () => postgresPlace(url));
});

describeWithService('REDIS_URL', 'Redis', (url) => {
  // Keys expire by themselves; the prefix keeps runs apart.
  cacheContract('redis', async () => new RedisCache(url, { keyPrefix: `test:${randomUUID()}:`, log }));
});

describeWithService('MONGO_URL', 'MongoDB wire (FerretDB in devstack)', (url) => {
  documentStoreContract('mongo', async (): Promise<DocumentStore> => {
    const database = new URL(url);
    database.pathname = `/test_${randomUUID().replaceAll('-', '')}`;
    const store = await MongoDocumentStore.open(database.toString());
    const close = async () => {
      await store.close();
      const admin = await mongoose.createConnection(database.toString()).asPromise();
      await admin.dropDatabase();
      await admin.close();
    };
    return new Proxy(store, {
      get: (target, name) => {
        if (name === 'close') return close;
        const value: unknown = Reflect.get(target, name);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  });
});

describeWithService('KAFKA_BROKERS', 'Kafka', (brokerList) => {
  const brokers = brokerList.split(',');
  eventLogContract(
    'kafka',
    async (): Promise<EventLog> => {
      const events = new KafkaEventLog({ brokers, clientId: 'kit-test', log });
      const topics = new Set<string>();
      return {
        publish: (topic, batch) => (topics.add(topic), events.publish(topic, batch)),
        subscribe: (options) => (options.topics.forEach((t) => topics.add(t)), events.subscribe(options)),
        backlog: (group, list) => events.backlog(group, list),
        close: async () => {
          await events.close();
          const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
          await admin.connect();
          await admin.deleteTopics({ topics: [...topics] });
          await admin.disconnect();
        },
      };
    },
    60_000,
  );

  it('creates topics with the settings the catalogue gives them (history kept for replays)', async () => {
    expect(kafkaTopicConfig('forum.posts')).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    // Relations are changes keyed by the actor: compacting would drop all but someone's last.
    expect(kafkaTopicConfig('users.relations')).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
    const topic = `retention.${randomUUID()}`;
    const events = new KafkaEventLog({
      brokers,
      clientId: 'kit-test',
      log,
      topicConfig: (name) => (name === topic ? kafkaTopicConfig('forum.posts') : {}),
    });
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await events.publish(topic, [newEvent({ type: 't', source: 'test', subject: 's', data: {} })]);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }],
      });
      const settings = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      expect(settings).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    } finally {
      await events.close();
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    }
  }, 60_000);
});

describeWithService('AMQP_URL', 'RabbitMQ', (url) => {
  /** Deletes the queues (and their dead-letter queues) a test used; retry queues expire. */
  const deleteQueues = async (queues: Iterable<string>) => {
    const connection = await connect(url);
    const channel = await connection.createChannel();
    for (const queue of queues) {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(`${queue}.dlq`);
    }
    await connection.close();
  };
  const openJobs = async (): Promise<JobQueue> => {
    const jobs = await RabbitJobQueue.open(url, log);
    const queues = new Set<string>();
    return {
      enqueue: (queue, payload, options) => (queues.add(queue), jobs.enqueue(queue, payload, options)),
      work: (queue, handle, options) => (queues.add(queue), jobs.work(queue, handle, options)),
      takeDeadLetters: (queue) => jobs.takeDeadLetters(queue),
      close: async () => {
        await jobs.close();
        await deleteQueues(queues);
      },
    };
  };

  jobQueueContract('rabbitmq', openJobs);
  noticesContract('rabbitmq', () => RabbitNotices.open(url, log));

  it('keeps the notices sent while a subscriber reconnects, and delivers them once it is back', async () => {
    // After a broker restart the publisher can be back before a subscriber: the subscriber's
    // queue must still be there, bound, collecting. Here only the subscriber's link is cut.
    const broker = new URL(url);
    const proxy = await tcpProxy({ host: broker.hostname, port: Number(broker.port) });
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    const subscriber = await RabbitNotices.open(viaProxy.toString(), log);
    const publisher = await RabbitNotices.open(url, log);
    const key = `t${randomUUID().replaceAll('-', '')}.picture.processed`;
    const seen: unknown[] = [];
    const subscription = await subscriber.subscribe(key, (notice) => void seen.push(notice.data));
    try {
      await publisher.publish(key, 1);
      await waitFor('the first notice', () => seen.length === 1, 10_000);
      proxy.cut();
      await waitFor('the subscriber to lose its connection', () =>
        subscriber.health().then(
          () => false,
          () => true,
        ),
      );
      await publisher.publish(key, 2);
      await publisher.publish(key, 3);
      proxy.restore();
      await waitFor('the notices sent while it was away', () => seen.length === 3, 15_000);
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      await subscription.stop();
      await subscriber.close();
      await publisher.close();
      await proxy.close();
    }
  }, 40_000);

  it('gives the job of a worker that died before acking to another worker', async () => {
    const queue = `dies.${randomUUID()}`;
    const jobs = await openJobs();
    const stuck = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures/stuck-worker.ts'), url, queue],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      let output = '';
      stuck.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor('the stuck worker to start', () => output.includes('ready'), 30_000);
      await jobs.enqueue(queue, { n: 1 }, { id: 'orphan' });
      await waitFor('the stuck worker to take the job', () => output.includes('took orphan'), 10_000);
      stuck.kill('SIGKILL');
      const seen: Job[] = [];
      await jobs.work(queue, async (job) => void seen.push(job));
      await waitFor('the job to come back', () => seen.length > 0, 10_000);
      expect(seen).toEqual([{ id: 'orphan', queue, payload: { n: 1 }, attempt: 1 }]);
    } finally {
      stuck.kill('SIGKILL');
      await jobs.close();
    }
  }, 60_000);
});
