import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sleep, waitFor } from '../wait';
import { topicMatches, type Notice, type Notices, type NoticeSubscription } from '../../notices/port';

/** The behaviour every Notices adapter must have; run once per adapter. */
export function noticesContract(adapter: string, open: () => Promise<Notices>, timeoutMs = 10_000): void {
  describe(`Notices contract: ${adapter}`, () => {
    let notices: Notices;
    let prefix: string;
    const subs: NoticeSubscription[] = [];
    beforeEach(async () => {
      notices = await open();
      prefix = `t${randomUUID().replaceAll('-', '')}`;
    });
    afterEach(async () => {
      for (const s of subs.splice(0)) await s.stop();
      await notices.close();
    });

    it(
      'delivers every matching notice to every subscriber, and nothing else',
      async () => {
        const a: Notice[] = [];
        const b: Notice[] = [];
        const other: Notice[] = [];
        subs.push(await notices.subscribe(`${prefix}.picture.*`, (n) => void a.push(n)));
        subs.push(await notices.subscribe(`${prefix}.#`, (n) => void b.push(n)));
        subs.push(await notices.subscribe(`${prefix}.comment.*`, (n) => void other.push(n)));
        await notices.publish(`${prefix}.picture.processed`, { id: 'p1' });
        await waitFor('both subscribers', () => a.length === 1 && b.length === 1, timeoutMs);
        await sleep(200);
        expect(a[0]).toEqual({ routingKey: `${prefix}.picture.processed`, data: { id: 'p1' } });
        expect(b).toHaveLength(1);
        expect(other).toHaveLength(0);
      },
      timeoutMs + 5_000,
    );

    it(
      'stops delivering after stop()',
      async () => {
        const seen: Notice[] = [];
        const sub = await notices.subscribe(`${prefix}.x`, (n) => void seen.push(n));
        await notices.publish(`${prefix}.x`, 1);
        await waitFor('first notice', () => seen.length === 1, timeoutMs);
        await sub.stop();
        await notices.publish(`${prefix}.x`, 2);
        await sleep(300);
        expect(seen.map((n) => n.data)).toEqual([1]);
      },
      timeoutMs + 5_000,
    );
  });

  it('matches AMQP topic patterns', () => {
    expect(topicMatches('a.*', 'a.b')).toBe(true);
    expect(topicMatches('a.*', 'a.b.c')).toBe(false);
    expect(topicMatches('a.#', 'a')).toBe(true);
    expect(topicMatches('#.c', 'a.b.c')).toBe(true);
    expect(topicMatches('a.b', 'a.c')).toBe(false);
  });
}
