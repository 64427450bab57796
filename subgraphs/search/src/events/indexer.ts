import type { DataSource } from 'typeorm';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { sleep } from '@agora/kit/time';
import { INDEX_VERSION } from '../domain/document';
import { RebuildRunning, type Generation, type Generations } from '../store/generations';
import { INDEX_TOPICS, project } from './projector';

export interface IndexerSettings {
  /** How often a replica looks whether another one swapped generations. */
  followIntervalMs: number;
  /** How often a rebuild checks its backlog and says it is alive. */
  pollIntervalMs: number;
  /** A rebuild whose heartbeat is older than this was abandoned (its process died). */
  staleAfterMs: number;
  /** How long a replaced generation is kept for replicas and searches still on it. */
  dropAfterMs: number;
}

export const DEFAULT_INDEXER_SETTINGS: IndexerSettings = {
  followIntervalMs: 1_000,
  pollIntervalMs: 200,
  staleAfterMs: 30_000,
  dropAfterMs: 30_000,
};

export interface RebuildStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  /** The generation being built (running) or built (done). */
  generation?: number;
  /** The generation it replaced. */
  replaced?: number | null;
  startedAt?: string;
  finishedAt?: string;
  /** Events of the history still to index. */
  backlog?: number;
  error?: string;
}

/**
 * Keeps the search index current: runs the consumer of the active generation and follows a
 * swap made by another replica. A rebuild fills a new generation from the start of the event
 * history beside the active one (which keeps serving and keeps being updated), and once it
 * has caught up with the log, swaps the views in one transaction; its consumer then goes on
 * as the live one, and the old generation is dropped a little later.
 */
export class Indexer {
  private live?: { generation: Generation; consumer: Consumer };
  private timer?: NodeJS.Timeout;
  private turn: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private current: RebuildStatus = { state: 'idle' };
  private readonly dropTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly db: DataSource,
    private readonly events: EventLog,
    private readonly generations: Generations,
    private readonly log: Logger,
    private readonly settings: IndexerSettings = DEFAULT_INDEXER_SETTINGS,
  ) {}

  async start(): Promise<void> {
    const active = await this.generations.ensureActive();
    if (active.indexVersion !== INDEX_VERSION) {
      this.log.warn(
        { generation: active.generation, built: active.indexVersion, code: INDEX_VERSION },
        'the search index was built by another version of the indexing code: run `npm run search:rebuild`',
      );
    }
    await this.follow(active);
    this.timer = setInterval(() => void this.serially(() => this.check()), this.settings.followIntervalMs);
    this.timer.unref();
  }

  /** The generation this replica keeps current. */
  get generation(): number | undefined {
    return this.live?.generation.generation;
  }

  /** The consumer group that keeps it current. */
  get group(): string | undefined {
    return this.live?.generation.group;
  }

  status(): RebuildStatus {
    return { ...this.current };
  }

  /** The generations in the database (the active one, one being built, a replaced one not dropped yet). */
  async generationsKept(): Promise<{ generation: number; state: string }[]> {
    return (await this.generations.list()).map(({ generation, state }) => ({ generation, state }));
  }

  /**
   * Starts a rebuild in the background and returns at once; `status()` tells how it goes.
   * Throws RebuildRunning when one is already running (here or in another replica).
   */
  async rebuild(): Promise<RebuildStatus> {
    if (this.current.state === 'running') throw new RebuildRunning(this.current.generation!);
    const building = await this.generations.startBuilding(this.settings.staleAfterMs);
    const { generation } = building;
    this.current = { state: 'running', generation, startedAt: new Date().toISOString() };
    this.log.info({ generation }, 'search rebuild started');
    void this.build(building).catch(async (error: unknown) => {
      this.log.error({ err: error, generation }, 'search rebuild failed');
      this.current = { ...this.current, state: 'failed', error: String(error), finishedAt: new Date().toISOString() };
      await this.generations.drop(generation).catch(() => undefined);
    });
    return this.status();
  }

  /** Resolves once the rebuild running here has ended; its status. */
  async settled(): Promise<RebuildStatus> {
    while (this.current.state === 'running') await sleep(this.settings.pollIntervalMs);
    return this.status();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const timer of this.dropTimers) clearTimeout(timer);
    await this.turn.catch(() => undefined);
    await this.live?.consumer.stop();
  }

  private async build(building: Generation): Promise<void> {
    const { generation } = building;
    const consumer = await project(this.db, this.events, this.log, building);
    try {
      for (;;) {
        if (this.stopped) throw new Error('stopped before the rebuild finished');
        await this.generations.heartbeat(generation);
        const backlog = await this.events.backlog(building.group, INDEX_TOPICS);
        this.current = { ...this.current, backlog };
        if (backlog === 0) break;
        await sleep(this.settings.pollIntervalMs);
      }
      const replaced = await this.serially(async () => {
        const previous = await this.generations.activate(generation);
        const old = this.live;
        this.live = { generation: { ...building, state: 'active' }, consumer };
        await old?.consumer.stop();
        return previous;
      });
      this.current = { ...this.current, state: 'done', replaced, backlog: 0, finishedAt: new Date().toISOString() };
      this.log.info({ generation, replaced }, 'search rebuild done: the new index serves');
      if (replaced !== null) this.dropLater(replaced);
    } catch (error) {
      if (this.live?.consumer !== consumer) await consumer.stop();
      throw error;
    }
  }

  /** Whether another replica swapped generations: then this one follows. */
  private async check(): Promise<void> {
    if (this.stopped) return;
    const active = await this.generations.active().catch((error: unknown) => {
      this.log.warn({ err: error }, 'cannot read the active search generation');
      return null;
    });
    if (active && active.generation !== this.live?.generation.generation) await this.follow(active);
  }

  private async follow(generation: Generation): Promise<void> {
    if (this.live?.generation.generation === generation.generation) return;
    const consumer = await project(this.db, this.events, this.log, generation);
    const old = this.live;
    this.live = { generation, consumer };
    await old?.consumer.stop();
    if (old) {
      this.log.info(
        { generation: generation.generation, replaced: old.generation.generation },
        'following the new search generation',
      );
    }
  }

  private dropLater(generation: number): void {
    const timer = setTimeout(() => {
      this.dropTimers.delete(timer);
      this.generations.drop(generation).then(
        () => this.log.info({ generation }, 'replaced search generation dropped'),
        (error: unknown) => this.log.warn({ err: error, generation }, 'could not drop a replaced search generation'),
      );
    }, this.settings.dropAfterMs);
    timer.unref();
    this.dropTimers.add(timer);
  }

  /** Generation switches happen one at a time. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }
}
