import type { ChildMessage } from './child';
import { MemoryEventLog } from '@agora/kit/events/memory';
import type { EventEnvelope } from '@agora/kit/events/port';

/**
 * The benchmark's event log: each process keeps the in-process log of embedded mode, and every
 * event published in one is relayed (over IPC, through the benchmark) to the logs of the other
 * processes: the subgraphs' and the gateways'. It stands in for Kafka, whose topics on this
 * machine are shared with other work; consumers and the outbox relays behave as with it.
 */
export class RelayedEventLog extends MemoryEventLog {
  constructor() {
    super();
    process.on('message', (message: { type: string; topic?: string; events?: EventEnvelope[] }) => {
      if (message.type === 'event' && message.topic && message.events)
        void super.publish(message.topic, message.events);
    });
  }

  override async publish(topic: string, events: EventEnvelope[]): Promise<void> {
    await super.publish(topic, events);
    process.send?.({ type: 'event', topic, event: events } satisfies ChildMessage);
  }
}
