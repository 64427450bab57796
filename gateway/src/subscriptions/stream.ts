/**
 * One subscriber's outgoing payloads: a bounded queue that the transport reads as an async
 * iterator. A consumer that falls `limit` payloads behind is cut off (`onOverflow`) rather
 * than letting the gateway buffer for it without bound.
 */
export class SubscriberStream<T> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private waiting?: (result: IteratorResult<T>) => void;
  private closed = false;

  constructor(
    private readonly limit: number,
    private readonly events: {
      /** The consumer fell `limit` payloads behind; the stream has ended. */
      overflow(): void;
      /** No more payloads will be accepted (called once, whatever the reason). */
      closed(): void;
    },
  ) {}

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting({ value, done: false });
      return;
    }
    if (this.queue.length >= this.limit) {
      this.end(false);
      this.events.overflow();
      return;
    }
    this.queue.push(value);
  }

  /** Ends the stream; `flush` still hands out what is queued (a clean shutdown), else it is dropped. */
  end(flush: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (!flush) this.queue = [];
    if (this.queue.length === 0) this.finish();
    this.events.closed();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) {
      if (this.closed && this.queue.length === 0) this.finish();
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The transport is done reading (the client unsubscribed or went away). */
  return(): Promise<IteratorResult<T>> {
    this.end(false);
    return Promise.resolve({ value: undefined, done: true });
  }

  /** As an async generator's: ends the stream (graphql-sse only stops generators that have it). */
  throw(error: unknown): Promise<IteratorResult<T>> {
    this.end(false);
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(): void {
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }
}
