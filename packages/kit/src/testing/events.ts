import { MemoryEventLog } from '../events/memory';
import type { EventEnvelope } from '../events/port';

/** For tests: an in-process event log that can be switched off, as a broker outage. */
export class FlakyEventLog extends MemoryEventLog {
  down = false;

  override publish(topic: string, events: EventEnvelope[]): Promise<void> {
    return this.down ? Promise.reject(new Error('broker unreachable')) : super.publish(topic, events);
  }
}
