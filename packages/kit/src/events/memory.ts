import type { Consumer, ConsumerOptions, EventEnvelope, EventLog } from './port';

interface Member {
  options: ConsumerOptions;
  stopped: boolean;
}

interface Group {
  /** Committed offset per topic: the index of the next event to deliver. */
  offsets: Map<string, number>;
  members: Member[];
  running: boolean;
  retryTimer?: NodeJS.Timeout;
  attempt: number;
}

const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 2_000;

/**
 * The in-process event log of embedded mode: one append-only array per topic and a
 * committed offset per group. A group delivers one event at a time in log order (a
 * single partition), so order per subject holds; a member is picked by subject, as
 * Kafka picks a partition by key.
 */
export class MemoryEventLog implements EventLog {
  private readonly topics = new Map<string, EventEnvelope[]>();
  private readonly groups = new Map<string, Group>();

  publish(topic: string, events: EventEnvelope[]): Promise<void> {
    const log = this.log(topic);
    for (const event of events) log.push(structuredClone(event));
    for (const group of this.groups.values()) this.drain(group);
    return Promise.resolve();
  }

  subscribe(options: ConsumerOptions): Promise<Consumer> {
    let group = this.groups.get(options.group);
    if (!group) {
      group = { offsets: new Map(), members: [], running: false, attempt: 0 };
      this.groups.set(options.group, group);
    }
    for (const topic of options.topics) {
      if (!group.offsets.has(topic)) {
        group.offsets.set(topic, options.fromBeginning ? 0 : this.log(topic).length);
      }
    }
    const member: Member = { options, stopped: false };
    group.members.push(member);
    const current = group;
    this.drain(current);
    return Promise.resolve({
      stop: () => {
        member.stopped = true;
        current.members = current.members.filter((m) => m !== member);
        return Promise.resolve();
      },
    });
  }

  close(): Promise<void> {
    for (const group of this.groups.values()) {
      clearTimeout(group.retryTimer);
      group.members = [];
    }
    return Promise.resolve();
  }

  private log(topic: string): EventEnvelope[] {
    let log = this.topics.get(topic);
    if (!log) {
      log = [];
      this.topics.set(topic, log);
    }
    return log;
  }

  private drain(group: Group): void {
    if (group.running || group.retryTimer) return;
    group.running = true;
    void this.run(group).finally(() => {
      group.running = false;
      // An event published while the run was winding down found it still running.
      if (this.nextFor(group)) this.drain(group);
    });
  }

  private async run(group: Group): Promise<void> {
    for (;;) {
      const next = this.nextFor(group);
      if (!next) return;
      const { topic, offset, event, member } = next;
      try {
        await member.options.handle(structuredClone(event), topic);
        group.offsets.set(topic, offset + 1);
        group.attempt = 0;
      } catch {
        // Not committed: the same event comes again after a backoff, as with Kafka.
        group.attempt += 1;
        const delay = Math.min(RETRY_BASE_MS * 2 ** (group.attempt - 1), RETRY_MAX_MS);
        group.retryTimer = setTimeout(() => {
          group.retryTimer = undefined;
          this.drain(group);
        }, delay);
        group.retryTimer.unref();
        return;
      }
    }
  }

  private nextFor(group: Group) {
    for (const [topic, offset] of group.offsets) {
      const event = this.log(topic)[offset];
      if (!event) continue;
      const members = group.members.filter((m) => !m.stopped && m.options.topics.includes(topic));
      if (members.length === 0) continue;
      const member = members[hash(event.subject) % members.length]!;
      return { topic, offset, event, member };
    }
    return undefined;
  }
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}
