import type { Caller } from './engine';

/**
 * "Has this viewer blocked this author?", for the per-subscriber filter on shared payloads.
 * A pair is asked once from the users subgraph (the source of truth) and then kept, and
 * `user.blocked` / `user.unblocked` events (users.relations) keep the known pairs current.
 */
export class BlockList {
  private readonly known = new Map<string, boolean | Promise<boolean>>();

  constructor(
    /** Asks the users subgraph, as the viewer. Rejects when it cannot tell. */
    private readonly lookup: (authorId: string, viewer: Caller) => Promise<boolean>,
    private readonly maxPairs = 100_000,
  ) {}

  hasBlocked(viewerId: string, authorId: string, viewer: Caller): Promise<boolean> {
    const key = `${viewerId}:${authorId}`;
    const known = this.known.get(key);
    if (known !== undefined) return Promise.resolve(known);
    const asked = this.lookup(authorId, viewer).then(
      (blocked) => {
        // An event that arrived meanwhile is newer than this answer.
        if (this.known.get(key) === asked) this.remember(key, blocked);
        return blocked;
      },
      (error: unknown) => {
        if (this.known.get(key) === asked) this.known.delete(key);
        throw error;
      },
    );
    this.remember(key, asked);
    return asked;
  }

  /** Applies a users.relations event (its data parsed by the catalogue). */
  apply(type: string, { actorId, targetId }: { actorId: string; targetId: string }): void {
    if (type === 'user.blocked') this.remember(`${actorId}:${targetId}`, true);
    if (type === 'user.unblocked') this.remember(`${actorId}:${targetId}`, false);
  }

  private remember(key: string, value: boolean | Promise<boolean>): void {
    this.known.delete(key);
    this.known.set(key, value);
    // Oldest first: Map keeps insertion order, and a refreshed pair is re-inserted.
    if (this.known.size > this.maxPairs) this.known.delete(this.known.keys().next().value!);
  }
}
