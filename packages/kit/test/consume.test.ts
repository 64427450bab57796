import { randomUUID } from 'node:crypto';
import { newEvent, userBlocked, userFollowed, userUnblocked } from '@agora/contracts/events';
import { consume, on } from '../src/events/consume';
import { MemoryEventLog } from '../src/events/memory';
import { createLogger } from '../src/log';
import { collectDeadLetters, waitFor } from '../src/testing';

/** The kit's consumer: catalogue parsing, dead letters, versions. */
describe('consume (catalogue-checked consumers)', () => {
  const log = createLogger('consume-test');
  const actorId = randomUUID();
  const targetId = randomUUID();

  async function consumer() {
    const events = new MemoryEventLog();
    const blocked: string[] = [];
    const letters = await collectDeadLetters(events, 'test');
    await consume(events, {
      group: 'test',
      log,
      handlers: [on(userBlocked, async (data) => void blocked.push(data.targetId))],
    });
    return { events, blocked, letters };
  }

  it('dead-letters an event that does not fit, with the reason, and goes on with the next', async () => {
    const { events, blocked, letters } = await consumer();
    const unfit = newEvent({ type: 'user.blocked', source: 'users', subject: actorId, data: { actorId } });
    const fit = userBlocked.build({ subject: actorId, data: { actorId, targetId } });
    await events.publish('users.relations', [unfit, fit]);
    await waitFor('the good event', () => blocked.length === 1);
    expect(blocked).toEqual([targetId]);
    await waitFor('the dead letter', () => letters.length === 1);
    expect(letters[0]).toMatchObject({ group: 'test', topic: 'users.relations', event: unfit });
    expect(letters[0]!.reason).toMatch(/targetId/);
  });

  it('reads a newer minor version and dead-letters another major', async () => {
    const { events, blocked, letters } = await consumer();
    const base = userBlocked.build({ subject: actorId, data: { actorId, targetId } });
    const newerMinor = { ...base, id: randomUUID(), version: '1.4', data: { ...base.data, reason: 'spam' } };
    const nextMajor = { ...base, id: randomUUID(), version: '2.0' };
    const legacyNumber = { ...base, id: randomUUID(), version: 1 };
    await events.publish('users.relations', [newerMinor, nextMajor, legacyNumber]);
    await waitFor('two read', () => blocked.length === 2);
    await waitFor('one dead letter', () => letters.length === 1);
    expect(letters[0]!.event.id).toBe(nextMajor.id);
    expect(letters[0]!.reason).toMatch(/major 1/);
  });

  it('lets event types it has no handler for pass by, neither read nor dead-lettered', async () => {
    const { events, blocked, letters } = await consumer();
    await events.publish('users.relations', [
      userFollowed.build({ subject: actorId, data: { actorId, targetId } }),
      userUnblocked.build({ subject: actorId, data: { actorId, targetId } }),
      userBlocked.build({ subject: actorId, data: { actorId, targetId } }),
    ]);
    await waitFor('the block', () => blocked.length === 1);
    expect(letters).toEqual([]);
  });

  it('refuses to build an event whose data does not fit (a producer bug fails at the write)', () => {
    expect(() => userBlocked.build({ subject: actorId, data: { actorId, targetId: '' } })).toThrow(/targetId/);
  });
});
