import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { KafkaEventLog } from '../packages/kit/src/events/kafka';
import { newEvent } from '../packages/kit/src/events/port';
import { createLogger } from '../packages/kit/src/log';
import { sleep } from '../packages/kit/src/time';

async function main() {
  const log = createLogger('probe');
  const brokers = ['127.0.0.1:59092'];
  const producer = new KafkaEventLog({ brokers, clientId: 'p', log });
  const consumer = new KafkaEventLog({ brokers, clientId: 'c', log });
  const topic = `resume.${randomUUID()}`;
  const seen: { title: string; at: number }[] = [];
  await producer.publish(topic, [newEvent({ type: 't', source: 's', subject: 'a', data: { title: 'first' } })]);
  await consumer.subscribe({
    group: `g-${randomUUID()}`,
    topics: [topic],
    fromBeginning: process.argv[2] === 'begin',
    handle: async (e) => void seen.push({ title: (e.data as { title: string }).title, at: Date.now() }),
  });
  await producer.publish(topic, [newEvent({ type: 't', source: 's', subject: 'b', data: { title: 'before' } })]);
  await sleep(1500);
  console.log('before outage', seen.map((s) => s.title));
  execFileSync('bash', ['scripts/devstack', 'down', 'kafka'], { stdio: 'inherit' });
  await sleep(Number(process.argv[3] ?? 8000));
  execFileSync('bash', ['scripts/devstack', 'up', 'kafka'], { stdio: 'ignore' });
  const back = Date.now();
  await producer.publish(topic, [newEvent({ type: 't', source: 's', subject: 'c', data: { title: 'after' } })]);
  const published = Date.now();
  for (let i = 0; i < 60 && !seen.some((s) => s.title === 'after'); i++) await sleep(500);
  const after = seen.find((s) => s.title === 'after');
  console.log('published after', published - back, 'ms; delivered', after ? after.at - published : 'never', 'ms after publish');
  await Promise.all([producer.close(), consumer.close()]);
  process.exit(0);
}
void main();
