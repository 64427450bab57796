/**
 * The notices port (RabbitMQ's `realtime` topic exchange in distributed mode): fire-and-forget
 * completion notices such as `picture.processed`. Every subscriber gets every matching notice
 * published while it is subscribed (each has its own exclusive queue); nothing is kept for
 * absent subscribers.
 */
export interface Notice<D = unknown> {
  routingKey: string;
  data: D;
}

export interface NoticeSubscription {
  stop(): Promise<void>;
}

export interface Notices {
  publish<D>(routingKey: string, data: D): Promise<void>;
  /** `pattern` is an AMQP topic pattern: words split by dots, `*` one word, `#` zero or more. */
  subscribe(pattern: string, handle: (notice: Notice) => Promise<void> | void): Promise<NoticeSubscription>;
  close(): Promise<void>;
}

/** AMQP topic-pattern matching, shared by adapters that route in process. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    return j < k.length && (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}
