/** The envelope and its low-level builder live in the contracts; producers use the catalogue's `build`. */
export { newEvent, type EventEnvelope } from '@agora/contracts/events';
import type { EventEnvelope } from '@agora/contracts/events';

export interface ConsumerOptions {
  /** Consumer group: each group receives every event once; its members share them. */
  group: string;
  topics: string[];
  /** A group that has never committed starts at the beginning (true) or at the end. */
  fromBeginning?: boolean;
  /**
   * Called in order per subject. The event counts as consumed only once this resolves;
   * if it throws, the same event is delivered again after a backoff.
   */
  handle(event: EventEnvelope, topic: string): Promise<void>;
}

export interface Consumer {
  stop(): Promise<void>;
}

/** The event log port (Kafka in distributed mode): topics, keyed order, consumer groups. */
export interface EventLog {
  publish(topic: string, events: EventEnvelope[]): Promise<void>;
  subscribe(options: ConsumerOptions): Promise<Consumer>;
  /**
   * How many events on `topics` the group has not consumed yet (committed offsets against
   * the end of each topic); a group that never committed on a topic counts all of it.
   * A read model replaying history (a rebuild) is caught up when this reaches 0.
   */
  backlog(group: string, topics: string[]): Promise<number>;
  close(): Promise<void>;
}
