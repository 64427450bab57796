import { topicMatches, type Notice, type Notices, type NoticeSubscription } from './port';

/** In-process notices for embedded mode. */
export class MemoryNotices implements Notices {
  private subscribers = new Set<{ pattern: string; handle: (notice: Notice) => Promise<void> | void }>();

  async publish<D>(routingKey: string, data: D): Promise<void> {
    for (const s of this.subscribers) {
      if (!topicMatches(s.pattern, routingKey)) continue;
      // A failing subscriber must not stop delivery to the others.
      Promise.resolve()
        .then(() => s.handle({ routingKey, data: structuredClone(data) }))
        .catch(() => undefined);
    }
  }

  async subscribe(pattern: string, handle: (notice: Notice) => Promise<void> | void): Promise<NoticeSubscription> {
    const subscriber = { pattern, handle };
    this.subscribers.add(subscriber);
    return { stop: async () => void this.subscribers.delete(subscriber) };
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
