import { MemoryEventLog } from '../events/memory';
import { deadLetterTopic, type DeadLetter } from '../events/consume';
import type { EventLog } from '../events/port';
import type { EventEnvelope } from '../events/port';

/** For tests: an in-process event log that can be switched off, as a broker outage. */
export class FlakyEventLog extends MemoryEventLog {
  down = false;

  override publish(topic: string, events: EventEnvelope[]): Promise<void> {
    return this.down ? Promise.reject(new Error('broker unreachable')) : super.publish(topic, events);
  }
}

/** Collects what `group` dead-letters (see events/consume.ts), from now on. */
export async function collectDeadLetters(events: EventLog, group: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await events.subscribe({
    group: `dead-letter-reader-${group}-${Math.random().toString(36).slice(2)}`,
    topics: [deadLetterTopic(group)],
    handle: async (event) => void letters.push(event.data as DeadLetter),
  });
  return letters;
}
