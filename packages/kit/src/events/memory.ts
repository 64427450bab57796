import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Consumer, ConsumerOptions, EventEnvelope, EventLog } from './port';

export interface MemoryEventLogOptions {
  /**
   * Folder that keeps the log: one append-only JSON-lines file per topic and the groups'
   * committed offsets. History then survives a restart and can be replayed from the
   * beginning (a read model's rebuild). Without it the log lives in memory only.
   */
  dir?: string;
  /**
   * Events of a topic kept in memory (default 10 000). With a folder, older ones are read
   * back from their file when a group needs them. Without one, older events are dropped,
   * like past a retention period, once every group with a running member has consumed
   * them: memory stays bounded by this plus the slowest running group's backlog, and a
   * group "from the beginning" starts at the oldest event kept.
   */
  memoryWindow?: number;
}

interface Member {
  options: ConsumerOptions;
  stopped: boolean;
}

interface Group {
  name: string;
  /** Committed offset per topic: the absolute index of the next event to deliver. */
  offsets: Map<string, number>;
  members: Member[];
  running: boolean;
  retryTimer?: NodeJS.Timeout;
  attempt: number;
  /** Events read back from a topic's file for this group, from `from` on. */
  replay?: { topic: string; from: number; events: EventEnvelope[] };
}

interface Topic {
  /** Absolute offset of `recent[0]`. */
  base: number;
  recent: EventEnvelope[];
  /** With a folder: the file and the byte position where each event's line starts. */
  file?: { fd: number; positions: number[]; size: number };
}

const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 2_000;
const DEFAULT_WINDOW = 10_000;
/** Events read from a file at once by a group replaying history. */
const REPLAY_CHUNK = 500;
/** Committed offsets reach the disk at most this long after the commit. */
const OFFSETS_FLUSH_MS = 100;
/** A group that has committed nothing for this long is forgotten when the log is opened (Kafka's default). */
const GROUP_RETENTION_MS = 7 * 24 * 3600_000;
const OFFSETS_FILE = 'offsets.json';

/**
 * The in-process event log of embedded mode. A topic is an append-only sequence and a
 * group has a committed offset per topic. A group delivers one event at a time in log
 * order (a single partition), so order per subject holds; a member is picked by subject,
 * as Kafka picks a partition by key. Delivery is at least once: an offset is committed
 * after the handler resolved, and persisted shortly after (a crash may repeat the last
 * events, which idempotent consumers skip).
 */
export class MemoryEventLog implements EventLog {
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly dir?: string;
  private readonly window: number;
  /** Offsets read from disk, for groups not subscribed yet in this process. */
  private readonly saved = new Map<string, { offsets: Record<string, number>; at: string }>();
  private offsetsTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(options: MemoryEventLogOptions = {}) {
    this.dir = options.dir;
    this.window = Math.max(1, options.memoryWindow ?? DEFAULT_WINDOW);
    if (this.dir) {
      mkdirSync(this.dir, { recursive: true });
      this.loadOffsets();
    }
  }

  publish(topic: string, events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const log = this.topic(topic);
    if (log.file) {
      const lines = events.map((event) => JSON.stringify(event) + '\n');
      const bytes = Buffer.from(lines.join(''));
      writeSync(log.file.fd, bytes, 0, bytes.length, log.file.size);
      for (const line of lines) {
        log.file.positions.push(log.file.size);
        log.file.size += Buffer.byteLength(line);
      }
    }
    for (const event of events) log.recent.push(structuredClone(event));
    this.trim(topic, log);
    for (const group of this.groups.values()) this.drain(group);
    return Promise.resolve();
  }

  subscribe(options: ConsumerOptions): Promise<Consumer> {
    let group = this.groups.get(options.group);
    if (!group) {
      group = { name: options.group, offsets: new Map(), members: [], running: false, attempt: 0 };
      const saved = this.saved.get(options.group);
      if (saved) for (const [topic, offset] of Object.entries(saved.offsets)) group.offsets.set(topic, offset);
      this.saved.delete(options.group);
      this.groups.set(options.group, group);
    }
    for (const topic of options.topics) {
      if (!group.offsets.has(topic)) {
        const log = this.topic(topic);
        group.offsets.set(topic, options.fromBeginning ? this.earliest(log) : this.end(log));
        this.offsetsChanged();
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
        if (current.members.length === 0) current.replay = undefined;
        return Promise.resolve();
      },
    });
  }

  /** Events on `topics` that `group` has not consumed yet (all of them for a group that never subscribed). */
  backlog(group: string, topics: string[]): Promise<number> {
    const known = this.groups.get(group)?.offsets ?? new Map(Object.entries(this.saved.get(group)?.offsets ?? {}));
    let total = 0;
    for (const name of topics) {
      const log = this.topic(name);
      total += this.end(log) - Math.max(known.get(name) ?? 0, this.earliest(log));
    }
    return Promise.resolve(total);
  }

  /** Events of `topic` held in memory (the rest, with a folder, is on disk). */
  eventsInMemory(topic: string): number {
    return this.topics.get(topic)?.recent.length ?? 0;
  }

  close(): Promise<void> {
    for (const group of this.groups.values()) {
      clearTimeout(group.retryTimer);
      group.members = [];
      group.replay = undefined;
    }
    if (this.dir && !this.closed) {
      clearTimeout(this.offsetsTimer);
      this.offsetsTimer = undefined;
      this.saveOffsets();
      for (const log of this.topics.values()) if (log.file) closeSync(log.file.fd);
    }
    this.closed = true;
    return Promise.resolve();
  }

  private topic(name: string): Topic {
    let log = this.topics.get(name);
    if (!log) {
      log = this.dir ? this.openFile(name) : { base: 0, recent: [] };
      this.topics.set(name, log);
    }
    return log;
  }

  private end(log: Topic): number {
    return log.base + log.recent.length;
  }

  /** The oldest offset still readable: 0 with a folder, the oldest event kept otherwise. */
  private earliest(log: Topic): number {
    return log.file ? 0 : log.base;
  }

  /**
   * Keeps a topic's memory to its window: with a folder every older event can go (it is
   * on disk); without one, only those every group of the topic has consumed.
   */
  private trim(name: string, log: Topic): void {
    let drop = log.recent.length - this.window;
    if (drop <= 0) return;
    if (!log.file) {
      // Groups with members hold back what they have still to read; stopped ones do not.
      for (const group of this.groups.values()) {
        const offset = group.offsets.get(name);
        if (offset !== undefined && group.members.length > 0) drop = Math.min(drop, offset - log.base);
      }
      if (drop <= 0) return;
    }
    log.recent.splice(0, drop);
    log.base += drop;
  }

  private drain(group: Group): void {
    if (group.running || group.retryTimer || this.closed) return;
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
        // Let I/O in between: an embedded handler's work (PGlite) resolves without ever
        // leaving the microtask queue, so a long backlog would otherwise starve the servers.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await member.options.handle(structuredClone(event), topic);
        group.offsets.set(topic, offset + 1);
        group.attempt = 0;
        this.offsetsChanged();
        const log = this.topics.get(topic);
        if (log && !log.file) this.trim(topic, log);
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
    for (const [topic, committed] of group.offsets) {
      const members = group.members.filter((m) => !m.stopped && m.options.topics.includes(topic));
      if (members.length === 0) continue;
      const log = this.topic(topic);
      // Events a memory-only log no longer keeps are gone, as past a Kafka retention.
      const offset = Math.max(committed, this.earliest(log));
      if (offset !== committed) group.offsets.set(topic, offset);
      const event = this.read(group, topic, log, offset);
      if (!event) continue;
      const member = members[hash(event.subject) % members.length]!;
      return { topic, offset, event, member };
    }
    return undefined;
  }

  /** The event at `offset`: from memory, or (older) from the topic's file, a chunk at a time. */
  private read(group: Group, name: string, log: Topic, offset: number): EventEnvelope | undefined {
    if (offset >= log.base) return log.recent[offset - log.base];
    if (!log.file) return undefined;
    const replay = group.replay;
    if (replay && replay.topic === name && offset >= replay.from && offset < replay.from + replay.events.length) {
      return replay.events[offset - replay.from];
    }
    const to = Math.min(offset + REPLAY_CHUNK, log.base);
    const start = log.file.positions[offset]!;
    const stop = to < log.file.positions.length ? log.file.positions[to]! : log.file.size;
    const buffer = Buffer.alloc(stop - start);
    readSync(log.file.fd, buffer, 0, buffer.length, start);
    const events = buffer
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EventEnvelope);
    group.replay = { topic: name, from: offset, events };
    return events[0];
  }

  /** Opens a topic's file: indexes where each event starts and keeps the newest in memory. */
  private openFile(name: string): Topic {
    const path = join(this.dir!, `${encodeURIComponent(name)}.jsonl`);
    const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    const content = readFileSync(path);
    const positions: number[] = [];
    let start = 0;
    for (let at = content.indexOf(10); at >= 0; at = content.indexOf(10, start)) {
      positions.push(start);
      start = at + 1;
    }
    // A line cut short by a crash was never acknowledged to its publisher: drop it.
    if (start < content.length) ftruncateSync(fd, start);
    const size = start;
    const base = Math.max(0, positions.length - this.window);
    const recent: EventEnvelope[] = [];
    for (let i = base; i < positions.length; i++) {
      const end = i + 1 < positions.length ? positions[i + 1]! : size;
      recent.push(JSON.parse(content.subarray(positions[i]!, end).toString('utf8')) as EventEnvelope);
    }
    return { base, recent, file: { fd, positions, size } };
  }

  private loadOffsets(): void {
    const path = join(this.dir!, OFFSETS_FILE);
    if (!existsSync(path)) return;
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<
      string,
      { offsets: Record<string, number>; at: string }
    >;
    for (const [group, entry] of Object.entries(stored)) {
      if (Date.now() - Date.parse(entry.at) < GROUP_RETENTION_MS) this.saved.set(group, entry);
    }
  }

  private offsetsChanged(): void {
    if (!this.dir || this.closed || this.offsetsTimer) return;
    this.offsetsTimer = setTimeout(() => {
      this.offsetsTimer = undefined;
      this.saveOffsets();
    }, OFFSETS_FLUSH_MS);
    this.offsetsTimer.unref();
  }

  /** Writes every group's offsets, atomically (a new file renamed over the old one). */
  private saveOffsets(): void {
    const now = new Date().toISOString();
    const all: Record<string, { offsets: Record<string, number>; at: string }> = Object.fromEntries(this.saved);
    for (const group of this.groups.values()) all[group.name] = { offsets: Object.fromEntries(group.offsets), at: now };
    const path = join(this.dir!, OFFSETS_FILE);
    writeFileSync(`${path}.tmp`, JSON.stringify(all));
    renameSync(`${path}.tmp`, path);
  }
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}
