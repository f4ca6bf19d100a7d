import { CacheStore } from '../stores/cache-store.interface.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { RateLimitedLogger } from './rate-limited-logger.js';

class DeadlineExceeded extends Error {}

/**
 * The store as the engine sees it: every call is bounded by our own deadline (a client-side
 * timeout alone does not cover a frozen server or a stuck socket), failures are logged
 * rate-limited and never thrown, and a breaker skips the store while it keeps failing.
 * Note: a write that timed out here may still be applied by Redis later.
 */
export class GuardedStore {
  constructor(
    readonly store: CacheStore,
    private readonly deadlineMs: number,
    private readonly breaker: CircuitBreaker,
    private readonly log: RateLimitedLogger,
  ) {}

  /** The payload, or undefined on a miss or any failure. */
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#guard('get', () => this.store.get(key));
  }

  /** True when the store confirmed the write. */
  async set(key: string, payload: Uint8Array, ttlMs: number): Promise<boolean> {
    return (await this.#guard('set', async () => (await this.store.set(key, payload, ttlMs), true))) === true;
  }

  async delete(keys: readonly string[]): Promise<boolean> {
    return (await this.#guard('delete', async () => (await this.store.delete(keys), true))) === true;
  }

  async deletePrefix(prefix: string, deadlineMs: number): Promise<number | undefined> {
    return this.#guard('deletePrefix', () => this.store.deletePrefix(prefix), deadlineMs);
  }

  async #guard<T>(operation: string, call: () => Promise<T>, deadlineMs = this.deadlineMs): Promise<T | undefined> {
    if (!this.breaker.allow()) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new DeadlineExceeded(`no answer within ${deadlineMs} ms`)), deadlineMs);
        }),
      ]);
      this.breaker.success();
      return result;
    } catch (error) {
      const opened = this.breaker.failure();
      const reason = error instanceof Error ? error.message : String(error);
      this.log.warn(
        `store-${operation}`,
        `Cache ${this.store.kind} ${operation} failed (${reason}); serving from the origin.`,
      );
      if (opened)
        this.log.error('breaker', `Cache ${this.store.kind} keeps failing; skipping it for a while, then probing.`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
