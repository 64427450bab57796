import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sleep, waitFor } from '../wait';
import { newEvent, type Consumer, type EventEnvelope, type EventLog } from '../../events/port';

const event = (subject: string, n: number) =>
  newEvent({ type: 'test.happened', source: 'contract', subject, data: { n } });

/** The behaviour every EventLog adapter must have; run once per adapter. */
export function eventLogContract(adapter: string, open: () => Promise<EventLog>, timeoutMs = 20_000): void {
  describe(`EventLog contract: ${adapter}`, () => {
    let log: EventLog;
    let topic: string;
    const consumers: Consumer[] = [];
    const consume = async (
      group: string,
      seen: EventEnvelope[],
      fromBeginning = true,
      fail?: (e: EventEnvelope) => boolean,
    ) => {
      const consumer = await log.subscribe({
        group,
        topics: [topic],
        fromBeginning,
        handle: (e) => {
          if (fail?.(e)) return Promise.reject(new Error('handler failed'));
          seen.push(e);
          return Promise.resolve();
        },
      });
      consumers.push(consumer);
      return consumer;
    };

    beforeEach(async () => {
      log = await open();
      topic = `contract.${randomUUID()}`;
    });
    afterEach(async () => {
      for (const c of consumers.splice(0)) await c.stop();
      await log.close();
    });

    it(
      'delivers every event with its envelope intact, in order per subject',
      async () => {
        const sent = [event('a', 1), event('b', 1), event('a', 2), event('a', 3), event('b', 2)];
        await log.publish(topic, sent);
        const seen: EventEnvelope[] = [];
        await consume(`g-${randomUUID()}`, seen);
        await waitFor('5 events', () => seen.length >= 5, timeoutMs);
        expect(seen.map((e) => e.id).sort()).toEqual(sent.map((e) => e.id).sort());
        expect(seen.find((e) => e.id === sent[0]!.id)).toEqual(sent[0]);
        const order = (s: string) => seen.filter((e) => e.subject === s).map((e) => (e.data as { n: number }).n);
        expect(order('a')).toEqual([1, 2, 3]);
        expect(order('b')).toEqual([1, 2]);
      },
      timeoutMs + 5_000,
    );

    it(
      'gives every group every event, and each member of a group a share, once',
      async () => {
        const one: EventEnvelope[] = [];
        const twoA: EventEnvelope[] = [];
        const twoB: EventEnvelope[] = [];
        const groupTwo = `g2-${randomUUID()}`;
        await consume(`g1-${randomUUID()}`, one);
        await consume(groupTwo, twoA);
        await consume(groupTwo, twoB);
        const sent = Array.from({ length: 20 }, (_, i) => event(`s${i}`, i));
        await log.publish(topic, sent);
        await waitFor('group one', () => one.length >= 20, timeoutMs);
        await waitFor('group two', () => twoA.length + twoB.length >= 20, timeoutMs);
        // A control event after the twenty: once both groups have it, a duplicate would have shown.
        const control = event('s0', 20);
        await log.publish(topic, [control]);
        const seenControl = (seen: EventEnvelope[]) => seen.some((e) => e.id === control.id);
        await waitFor(
          'the control event',
          () => seenControl(one) && (seenControl(twoA) || seenControl(twoB)),
          timeoutMs,
        );
        const ids = [...sent, control].map((e) => e.id).sort();
        expect(one.map((e) => e.id).sort()).toEqual(ids);
        const two = [...twoA, ...twoB].map((e) => e.id);
        expect(two.sort()).toEqual(ids);
        // Twenty subjects spread over the group: each member took a share, neither took all.
        expect({ a: twoA.length > 0, b: twoB.length > 0 }).toEqual({ a: true, b: true });
      },
      timeoutMs * 2 + 5_000,
    );

    it(
      'redelivers an event whose handler failed, and holds later events of that subject',
      async () => {
        let failures = 0;
        const seen: EventEnvelope[] = [];
        const failTwice = (e: EventEnvelope) => (e.data as { n: number }).n === 1 && failures < 2 && ++failures > 0;
        await consume(`g-${randomUUID()}`, seen, true, failTwice);
        await log.publish(topic, [event('x', 1), event('x', 2)]);
        await waitFor('both events', () => seen.length >= 2, timeoutMs);
        expect(failures).toBe(2);
        expect(seen.map((e) => (e.data as { n: number }).n)).toEqual([1, 2]);
      },
      timeoutMs + 5_000,
    );

    it(
      'resumes a group where it committed, without loss or repeats',
      async () => {
        const group = `g-${randomUUID()}`;
        const first: EventEnvelope[] = [];
        const consumer = await consume(group, first);
        await log.publish(topic, [event('r', 1), event('r', 2)]);
        await waitFor('first batch', () => first.length >= 2, timeoutMs);
        await consumer.stop();
        await log.publish(topic, [event('r', 3)]);
        const second: EventEnvelope[] = [];
        await consume(group, second, false);
        // One subject, so a repeat of 1 or 2 would come before 3.
        await waitFor('third event', () => second.some((e) => (e.data as { n: number }).n === 3), timeoutMs);
        expect(second.map((e) => (e.data as { n: number }).n)).toEqual([3]);
      },
      timeoutMs * 2 + 5_000,
    );

    it(
      "counts a group's backlog: the events it has not consumed yet",
      async () => {
        const group = `g-${randomUUID()}`;
        await log.publish(topic, [event('k', 1), event('k', 2), event('l', 3)]);
        expect(await log.backlog(group, [topic])).toBe(3);
        const seen: EventEnvelope[] = [];
        const consumer = await consume(group, seen);
        await waitFor('three events', () => seen.length >= 3, timeoutMs);
        await waitFor('the backlog to be 0', async () => (await log.backlog(group, [topic])) === 0, timeoutMs);
        await consumer.stop();
        await log.publish(topic, [event('k', 4), event('m', 5)]);
        expect(await log.backlog(group, [topic])).toBe(2);
      },
      timeoutMs + 5_000,
    );

    it(
      'starts a new group at the end unless asked for the beginning',
      async () => {
        await log.publish(topic, [event('o', 1)]);
        const fromEnd: EventEnvelope[] = [];
        await consume(`g-${randomUUID()}`, fromEnd, false);
        await sleep(500);
        await log.publish(topic, [event('o', 2)]);
        await waitFor('new event', () => fromEnd.length >= 1, timeoutMs);
        expect(fromEnd.map((e) => (e.data as { n: number }).n)).toEqual([2]);
      },
      timeoutMs + 5_000,
    );
  });
}
