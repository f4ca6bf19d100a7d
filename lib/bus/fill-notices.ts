import { Cluster, Redis } from 'ioredis';
import { fillChannel } from '../keys/key-layout.js';

/**
 * Wakes this instance's lease waiters as soon as the instance holding the lease has filled the
 * entry: the fill script announces a fill on the namespace's fill channel when someone waited
 * for it. Pub/sub is at-most-once and the subscription starts with the first wait, so waiting
 * is always bounded by the poll it replaces: a lost notice costs what polling costs. The
 * subscriber connection is opened on the first wait only (apps that never wait open none).
 */
export class FillNotices {
  readonly #channel: string;
  readonly #waiters = new Map<string, Set<() => void>>();
  #subscriber?: Redis | Cluster;
  #closed = false;

  constructor(
    private readonly client: Redis | Cluster,
    namespace: string,
  ) {
    this.#channel = fillChannel(namespace);
  }

  /**
   * Resolves when a fill of `key` is announced, or after `ms` (the next poll), whichever comes
   * first. @example await notices.wait('{shop:product:#7}', 40)
   */
  wait(key: string, ms: number): Promise<void> {
    this.#subscribe();
    return new Promise<void>((resolve) => {
      let waiters = this.#waiters.get(key);
      if (!waiters) this.#waiters.set(key, (waiters = new Set()));
      const wake = () => {
        clearTimeout(timer);
        const current = this.#waiters.get(key);
        current?.delete(wake);
        if (current?.size === 0) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  stop(): void {
    this.#closed = true;
    for (const waiters of [...this.#waiters.values()]) for (const wake of [...waiters]) wake();
    // At once: a subscriber connection holds nothing a graceful QUIT would save.
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }

  #subscribe(): void {
    if (this.#subscriber || this.#closed) return;
    const subscriber = this.client.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', () => undefined); // the main connection already reports outages
    subscriber.on('message', (channel: string, key: string) => {
      if (channel !== this.#channel) return;
      const waiters = this.#waiters.get(key);
      if (waiters) for (const wake of [...waiters]) wake();
    });
    // ioredis resubscribes by itself after a reconnect; until subscribed, waiters simply poll.
    subscriber.subscribe(this.#channel).catch(() => undefined);
  }
}
