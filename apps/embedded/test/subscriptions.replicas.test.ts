import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedStack, type EmbeddedStack } from '@agora/embedded/stack';
import { remoteKeys, tokenIdentifier } from '@agora/kit/auth';
import type { Consumer } from '@agora/kit/events/port';
import { KafkaEventLog } from '@agora/kit/events/kafka';
import { createLogger } from '@agora/kit/log';
import { RabbitNotices } from '@agora/kit/notices/rabbitmq';
import { sleep, waitFor, gql, describeWithService } from '@agora/kit/testing';
import { gatewayConfig } from '@agora/gateway/config';
import { startGateway, type RunningGateway } from '@agora/gateway/gateway';
import { wsClient, wsSubscribe, type Received } from '../../../gateway/test/subscription-clients';

/**
 * Acceptance 4: two gateway replicas, each consuming real Kafka with a consumer group of its
 * own, and RabbitMQ's `realtime` exchange with a queue of its own. The subgraphs run
 * embedded; relays publish the forum's post events to Kafka and the pictures' notices to
 * RabbitMQ, as distributed mode does. Every subscriber, on either replica, gets every event
 * exactly once.
 */
describeWithService(['KAFKA_BROKERS', 'AMQP_URL'], 'subscriptions on two gateway replicas', (brokers, amqpUrl) => {
  const log = createLogger('kafka-replicas-test');
  let stack: EmbeddedStack;
  let relay: Consumer;
  let relayLog: KafkaEventLog;
  let relayNotices: RabbitNotices;
  let noticeRelay: { stop(): Promise<void> };
  const replicas: { gateway: RunningGateway; events: KafkaEventLog; notices: RabbitNotices }[] = [];
  const clients: { dispose(): unknown }[] = [];

  beforeAll(async () => {
    stack = await startEmbeddedStack({
      dataDir: mkdtempSync(join(tmpdir(), 'agora-subscriptions-kafka-')),
      gatewayPort: 0,
      subgraphPort: () => 0,
    });
    relayLog = new KafkaEventLog({ brokers: brokers.split(','), clientId: 'test-outbox-relay', log });
    relay = await stack.infra.events.subscribe({
      group: `relay-${randomUUID()}`,
      topics: ['forum.posts'],
      handle: (event, topic) => relayLog.publish(topic, [event]),
    });
    relayNotices = await RabbitNotices.open(amqpUrl, log);
    noticeRelay = await stack.infra.notices.subscribe('picture.processed', (notice) =>
      relayNotices.publish(notice.routingKey, notice.data),
    );
    const config = gatewayConfig();
    const auth = stack.services.find((s) => s.name === 'auth')!;
    for (let i = 0; i < 2; i++) {
      const events = new KafkaEventLog({ brokers: brokers.split(','), clientId: `gateway-replica-${i}`, log });
      const notices = await RabbitNotices.open(amqpUrl, log);
      const gateway = await startGateway({
        host: '127.0.0.1',
        port: 0,
        log,
        supergraphPath: config.SUPERGRAPH_PATH,
        subgraphUrls: Object.fromEntries(stack.services.map((s) => [s.name, s.graphqlUrl])),
        maxBodyBytes: config.MAX_BODY_BYTES,
        maxDepth: config.MAX_QUERY_DEPTH,
        identify: tokenIdentifier(remoteKeys(`${auth.url}/.well-known/jwks.json`)),
        infra: { events, notices },
      });
      replicas.push({ gateway, events, notices });
    }
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    for (const { gateway, events, notices } of replicas) {
      await gateway.close();
      await events.close();
      await notices.close();
    }
    await relay?.stop();
    await relayLog?.close();
    await noticeRelay?.stop();
    await relayNotices?.close();
    await stack?.close();
  });

  it('delivers every event exactly once to subscribers on each replica', async () => {
    const url = stack.gateway.graphqlUrl;
    const call = async <D>(query: string, variables: Record<string, unknown>, token?: string) => {
      const res = await gql<D>(url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!;
    };
    const { register } = await call<{ register: { accessToken: string } }>(
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { input: { email: 'kafka_author@example.com', password: 'Correct-horse-battery-9', handle: 'kafka_author' } },
    );
    const token = register.accessToken;
    const { createPanel } = await call<{ createPanel: { id: string } }>(
      'mutation($input: CreatePanelInput!) { createPanel(input: $input) { id } }',
      { input: { name: `Kafka ${randomUUID().slice(0, 8)}` } },
      token,
    );
    const post = async (title: string) =>
      (
        await call<{ createPost: { id: string } }>(
          'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
          { input: { panelId: createPanel.id, title, body: 'over Kafka' } },
          token,
        )
      ).createPost.id;

    const subscribers: Received[] = [];
    for (const { gateway } of replicas) {
      for (let i = 0; i < 3; i++) {
        const client = wsClient(gateway.graphqlUrl);
        clients.push(client);
        subscribers.push(
          wsSubscribe(client, 'subscription($p: ID) { postAdded(panelId: $p) { id author { handle } } }', {
            p: createPanel.id,
          }),
        );
      }
    }
    // Subscriptions start asynchronously: warm up until every subscriber has had a post.
    const warmUps = new Set<string>();
    await waitFor(
      'every subscriber on both replicas',
      async () => {
        warmUps.add(await post('warm-up'));
        await sleep(300);
        return subscribers.every((s) => s.results.length > 0);
      },
      30_000,
    );
    await sleep(1_000);
    for (const s of subscribers) s.results.length = 0;

    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await post(`post ${i}`));
    const idsOf = (s: Received) =>
      s.results.map((r) => (r.data as { postAdded: { id: string } }).postAdded.id).filter((id) => !warmUps.has(id));
    await waitFor('every post everywhere', () => subscribers.every((s) => idsOf(s).length >= ids.length), 30_000);
    await sleep(1_500); // room for a duplicate to show up
    for (const s of subscribers) {
      expect(idsOf(s)).toEqual(ids);
      expect(s.errors).toEqual([]);
    }
    expect(subscribers[0]!.results[0]).toEqual({
      data: { postAdded: { id: ids[0], author: { handle: 'kafka_author' } } },
    });
  }, 120_000);

  it('delivers pictureProcessed (RabbitMQ) exactly once to its owner on each replica', async () => {
    const url = stack.gateway.graphqlUrl;
    const { data } = await gql<{ register: { accessToken: string } }>(
      url,
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { input: { email: 'rabbit_owner@example.com', password: 'Correct-horse-battery-9', handle: 'rabbit_owner' } },
    );
    const token = data!.register.accessToken;
    const subscribers = replicas.map(({ gateway }) => {
      const client = wsClient(gateway.graphqlUrl, `Bearer ${token}`);
      clients.push(client);
      return wsSubscribe(client, 'subscription { pictureProcessed { id status owner { handle } } }');
    });
    const upload = async () => {
      const res = await gql<{ uploadPicture: { id: string } }>(
        url,
        'mutation($input: UploadPictureInput!) { uploadPicture(input: $input) { id } }',
        { input: { title: 'Dot', dataBase64: ONE_PIXEL_PNG, contentType: 'image/png' } },
        { authorization: `Bearer ${token}` },
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.uploadPicture.id;
    };
    // Subscriptions start asynchronously: upload until both replicas have delivered one.
    const ids: string[] = [];
    await waitFor(
      'a pictureProcessed on both replicas',
      async () => {
        ids.push(await upload());
        await sleep(500);
        return subscribers.every((s) => s.results.length > 0);
      },
      30_000,
    );
    const last = await upload();
    await waitFor('the last picture on both replicas', () =>
      subscribers.every((s) => s.results.some((r) => JSON.stringify(r).includes(last))),
    );
    await sleep(1_000); // room for a duplicate to show up
    for (const s of subscribers) {
      const delivered = s.results.map((r) => (r.data as { pictureProcessed: { id: string } }).pictureProcessed.id);
      expect(delivered.filter((id) => id === last)).toHaveLength(1);
      expect(new Set(delivered).size).toBe(delivered.length);
      expect(s.results.at(-1)).toEqual({
        data: { pictureProcessed: { id: last, status: 'READY', owner: { handle: 'rabbit_owner' } } },
      });
    }
  }, 60_000);
});

/** The smallest valid PNG: one pixel. */
const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
