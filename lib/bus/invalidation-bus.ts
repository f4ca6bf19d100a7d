import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { busChannel } from '../keys/key-layout.js';
import { within } from '../timing/within.js';
import type { RateLimitedLogger } from '../observability/rate-limited-logger.js';

/** What one instance tells the others to drop from their L1. */
export type Invalidation = { keys: string[] } | { tags: string[] } | { prefix: string };

interface Envelope {
  from: string;
  what: Invalidation;
}

/** One bus message, as instances and the operator CLI publish it. @example busMessage('cli', { tags: [key] }) */
export function busMessage(from: string, what: Invalidation): string {
  return JSON.stringify({ from, what } satisfies Envelope);
}

/**
 * Cross-instance L1 coherence over Redis pub/sub, on a connection of its own (a subscribed
 * connection cannot run commands). Pub/sub is at-most-once, so every (re)subscribe calls
 * `onResync` (the L1 clears itself), and L1 entries have a TTL cap as the backstop.
 */
export class InvalidationBus {
  readonly #id = randomUUID();
  readonly #channel: string;
  readonly #logger = new Logger('CacheKit');
  #subscriber?: Redis | Cluster;
  #subscribed = false;

  constructor(
    private readonly publisher: Redis | Cluster,
    namespace: string,
    private readonly onMessage: (what: Invalidation) => void,
    private readonly onResync: () => void,
    private readonly log: RateLimitedLogger,
    private readonly publishWaitMs: number,
  ) {
    this.#channel = busChannel(namespace);
  }

  async start(): Promise<void> {
    const subscriber = this.publisher.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', () => undefined); // the main connection already reports outages
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.#channel) return;
      try {
        const message = JSON.parse(raw) as Envelope;
        if (message.from !== this.#id) this.onMessage(message.what);
      } catch {
        this.#logger.warn(`Ignoring a malformed message on ${this.#channel}`);
      }
    });
    // Every reconnect: whatever was published meanwhile is lost, so start over (an empty L1, every
    // running load fenced). Not on a first connect within the boot wait: nothing was missed before
    // it, and a resync then would split the loads already running at boot. ioredis resubscribes by
    // itself after a reconnect, right after 'ready': what was published until Redis took that is
    // lost too, so once a PING sent after it comes back, start over once more.
    let missed = false;
    const ready = new Promise<void>((resolve) => {
      subscriber.on('ready', async () => {
        if (missed) this.onResync();
        missed = true;
        if (this.#subscribed) setImmediate(() => void subscriber.ping().then(this.onResync, () => undefined));
        if (!this.#subscribed) {
          try {
            await subscriber.subscribe(this.#channel);
            this.#subscribed = true;
          } catch (error) {
            this.#logger.warn(
              `L1 invalidation bus not subscribed (${(error as Error).message}); retrying on reconnect.`,
            );
          }
        }
        resolve();
      });
      setTimeout(() => {
        missed = true; // serving before the bus listens: the first connect resyncs too
        resolve();
      }, 1_000).unref();
    });
    await ready;
  }

  /** True while the subscriber connection is up and subscribed (ioredis resubscribes after a reconnect). */
  get subscribed(): boolean {
    return this.#subscribed && this.#subscriber?.status === 'ready';
  }

  /**
   * Publishes an invalidation; resolves (never rejects) once Redis took it, so it is on its way to
   * every subscribed instance, or after the operation deadline. If Redis does not take it, others
   * rely on the L1 TTL.
   */
  async publish(what: Invalidation): Promise<void> {
    const published = this.publisher.publish(this.#channel, busMessage(this.#id, what)).then(
      () => undefined,
      () => {
        this.log.warn(
          'bus-publish',
          `Could not publish an L1 invalidation; other instances drop it within their L1 TTL.`,
        );
      },
    );
    await within(published, this.publishWaitMs);
  }

  /** Closes the subscriber connection at once: it holds nothing a graceful QUIT would save. */
  stop(): void {
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }
}
