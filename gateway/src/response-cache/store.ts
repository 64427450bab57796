import { FAIL_FAST_REDIS, firstConnection } from '@agora/kit/cache/redis';
import { Redis } from 'ioredis';

/**
 * Where cached responses live: in process (one gateway) or Redis (shared by the replicas).
 * Both keep a global invalidation counter (`seq`) and, per tag, the counter value of its
 * last invalidation, so that a response read from the subgraphs is stored only if none of
 * its tags was invalidated after the read began: an answer that may predate a write is
 * never kept, however the read and the write's invalidation interleave.
 */
export interface ResponseStore {
  /** The entry under `key` (if any) and the current invalidation counter. */
  lookup(key: string): Promise<{ body: string | undefined; seq: number }>;
  /**
   * Stores `body` under `key`, tagged, for `ttlMs`, unless a tag was invalidated after `seq`
   * (the counter read before the response was computed) or is cooling down. True if stored.
   */
  store(key: string, body: string, tags: string[], seq: number, ttlMs: number): Promise<boolean>;
  /** Drops every entry carrying one of the tags; `cooldownMs` > 0 also refuses them that long. */
  invalidate(tags: string[], cooldownMs: number): Promise<void>;
  close(): Promise<void>;
}

interface MemoryEntry {
  body: string;
  expiresAt: number;
  tags: string[];
}

/** The in-process store: a bounded map (oldest entries go first) with a tag index. */
export class MemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly byTag = new Map<string, Set<string>>();
  /** Tag → counter at its last invalidation, and the end of its cool-down. */
  private readonly invalidated = new Map<string, { seq: number; coolUntil: number; at: number }>();
  private seq = 0;
  private sweptAt = Date.now();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 5_000,
    /** Bodies kept, in UTF-16 code units (about bytes for JSON): 64 M by default. */
    private readonly maxChars = 64 * 1024 * 1024,
    /** How long a tag's invalidation is remembered: longer than any read may take. */
    private readonly rememberMs = 120_000,
  ) {}

  lookup(key: string): Promise<{ body: string | undefined; seq: number }> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.drop(key);
    return Promise.resolve({ body: entry && entry.expiresAt > Date.now() ? entry.body : undefined, seq: this.seq });
  }

  store(key: string, body: string, tags: string[], seq: number, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    for (const tag of tags) {
      const last = this.invalidated.get(tag);
      if (last && (last.seq > seq || last.coolUntil > now)) return Promise.resolve(false);
    }
    this.drop(key);
    this.entries.set(key, { body, expiresAt: now + ttlMs, tags });
    this.bytes += body.length;
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.maxEntries || (this.bytes > this.maxChars && this.entries.size > 1)) {
      this.drop(this.entries.keys().next().value!);
    }
    return Promise.resolve(true);
  }

  invalidate(tags: string[], cooldownMs: number): Promise<void> {
    const now = Date.now();
    this.seq += 1;
    for (const tag of tags) {
      this.invalidated.set(tag, { seq: this.seq, coolUntil: cooldownMs > 0 ? now + cooldownMs : 0, at: now });
      const keys = this.byTag.get(tag);
      if (keys) for (const key of [...keys]) this.drop(key);
    }
    if (now - this.sweptAt > this.rememberMs) {
      this.sweptAt = now;
      for (const [tag, last] of this.invalidated) if (now - last.at > this.rememberMs) this.invalidated.delete(tag);
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.entries.clear();
    this.byTag.clear();
    this.bytes = 0;
    return Promise.resolve();
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.body.length;
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}

/*
 * Redis layout, every key under one hash tag ({prefix}) so the scripts stay in one slot:
 *   {p}seq        the invalidation counter
 *   {p}e:<key>    a response body (PX ttl)
 *   {p}s:<tag>    the keys of the entries carrying the tag (a set; PX ttl)
 *   {p}t:<tag>    the counter at the tag's last invalidation (PX remember)
 *   {p}c:<tag>    present while the tag cools down (PX cooldown)
 * Both scripts run atomically, so a store and an invalidation never interleave.
 */
const STORE = `
local p, seq, ttl, body = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
for i = 5, #ARGV do
  local last = redis.call('GET', p .. 't:' .. ARGV[i])
  if last and tonumber(last) > seq then return 0 end
  if redis.call('EXISTS', p .. 'c:' .. ARGV[i]) == 1 then return 0 end
end
redis.call('SET', KEYS[1], body, 'PX', ttl)
for i = 5, #ARGV do
  local set = p .. 's:' .. ARGV[i]
  redis.call('SADD', set, KEYS[1])
  redis.call('PEXPIRE', set, ttl)
end
return 1`;

const INVALIDATE = `
local p, cooldown, remember = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local seq = redis.call('INCR', p .. 'seq')
for i = 4, #ARGV do
  local tag = ARGV[i]
  redis.call('SET', p .. 't:' .. tag, seq, 'PX', remember)
  if cooldown > 0 then redis.call('SET', p .. 'c:' .. tag, 1, 'PX', cooldown) end
  local set = p .. 's:' .. tag
  local keys = redis.call('SMEMBERS', set)
  for j = 1, #keys, 500 do redis.call('DEL', unpack(keys, j, math.min(j + 499, #keys))) end
  redis.call('DEL', set)
end
return seq`;

/**
 * The store shared by gateway replicas. Redis must not evict its keys on its own (a
 * `noeviction` or `volatile-ttl` policy, or a Redis of its own): an evicted tag set would
 * leave its entries unreachable by invalidation until their TTL.
 */
export class RedisResponseStore implements ResponseStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(url: string, options: { prefix?: string; rememberMs?: number; onError?: (error: Error) => void } = {}) {
    this.prefix = `{${options.prefix ?? 'agora:rc'}}`;
    this.rememberMs = options.rememberMs ?? 120_000;
    // Fail fast: an unreachable Redis is a cache bypass, not a wait (writes' events invalidate later).
    this.redis = new Redis(url, FAIL_FAST_REDIS);
    this.redis.on('error', (error: Error) => options.onError?.(error));
    this.connected = firstConnection(this.redis).then(() => void (this.connected = undefined));
    this.redis.defineCommand('rcStore', { numberOfKeys: 1, lua: STORE });
    this.redis.defineCommand('rcInvalidate', { numberOfKeys: 0, lua: INVALIDATE });
  }

  private readonly rememberMs: number;
  /** Until the first connection, a command waits for it (bounded). */
  private connected?: Promise<void>;

  async lookup(key: string): Promise<{ body: string | undefined; seq: number }> {
    if (this.connected) await this.connected;
    const [body, seq] = await this.redis.mget(`${this.prefix}e:${key}`, `${this.prefix}seq`);
    return { body: body ?? undefined, seq: Number(seq ?? 0) };
  }

  async store(key: string, body: string, tags: string[], seq: number, ttlMs: number): Promise<boolean> {
    if (this.connected) await this.connected;
    const redis = this.redis as Redis & { rcStore(...args: (string | number)[]): Promise<number> };
    const stored = await redis.rcStore(`${this.prefix}e:${key}`, this.prefix, seq, Math.max(1, ttlMs), body, ...tags);
    return stored === 1;
  }

  async invalidate(tags: string[], cooldownMs: number): Promise<void> {
    if (tags.length === 0) return;
    if (this.connected) await this.connected;
    const redis = this.redis as Redis & { rcInvalidate(...args: (string | number)[]): Promise<number> };
    await redis.rcInvalidate(this.prefix, Math.max(0, cooldownMs), this.rememberMs, ...tags);
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}
