/** How many long-lived connections one client may hold at once on a gateway replica. */
export interface ConnectionCapLimits {
  /** WebSockets, SSE streams and SSE reservations together, per client address. */
  perAddress: number;
  /** The same, per API key (a key used from many addresses). */
  perApiKey: number;
}

export const DEFAULT_CONNECTION_CAPS: ConnectionCapLimits = { perAddress: 20, perApiKey: 50 };

/** Gives a slot back; safe to call more than once. */
export type Release = () => void;

/**
 * Counts the open connections (WebSockets, SSE event streams and SSE reservations) per
 * client address and per API key on this replica, refusing any past the caps. Counters go
 * away with their last connection, so memory follows what is open, not what was tried.
 */
export class ConnectionCaps {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limits: ConnectionCapLimits) {}

  /** A slot for the address (and key), or undefined when one of them is at its cap. */
  acquire(address: string, apiKeyId?: string): Release | undefined {
    const keys = [`address:${address}`, ...(apiKeyId ? [`key:${apiKeyId}`] : [])];
    const caps = [this.limits.perAddress, this.limits.perApiKey];
    if (keys.some((key, i) => (this.counts.get(key) ?? 0) >= caps[i]!)) return undefined;
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (this.counts.get(key) ?? 1) - 1;
        if (left > 0) this.counts.set(key, left);
        else this.counts.delete(key);
      }
    };
  }

  /** A slot for an API key alone (a connection whose address already holds one). */
  acquireKey(apiKeyId: string): Release | undefined {
    const key = `key:${apiKeyId}`;
    if ((this.counts.get(key) ?? 0) >= this.limits.perApiKey) return undefined;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }

  /** Open connections counted for an address (tests, metrics). */
  openFor(address: string): number {
    return this.counts.get(`address:${address}`) ?? 0;
  }
}
