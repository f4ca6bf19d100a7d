import { EntryStore, FillTicket, StoredRead } from '../stores/entry-store.interface.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DeadlineExceeded, DeadlineWatch } from './deadline-watch.js';
import { RateLimitedLogger } from './rate-limited-logger.js';

/**
 * The store as the engine sees it: every call is bounded by our own deadline (a client-side
 * timeout alone does not cover a frozen server or a stuck socket), failures are logged
 * rate-limited and never thrown (they resolve to undefined), and a breaker skips the store while
 * it keeps failing. A write that timed out here may still be applied by Redis later: fills are
 * compare-and-set against a version, so a late one cannot resurrect an invalidated value.
 */
export class GuardedStore {
  readonly #watch: DeadlineWatch;

  constructor(
    readonly store: EntryStore,
    private readonly deadlineMs: number,
    private readonly breaker: CircuitBreaker,
    private readonly log: RateLimitedLogger,
  ) {
    this.#watch = new DeadlineWatch(Math.max(1, Math.round(deadlineMs / 10)));
  }

  /** The hit path: the same as every other operation, written out so it allocates no closure. */
  read(key: string, tags: readonly string[]): Promise<StoredRead | undefined> {
    if (!this.breaker.allow()) return SKIPPED;
    let pending: Promise<StoredRead>;
    try {
      pending = this.store.read(key, tags);
    } catch (error) {
      return Promise.resolve(this.#readFailed(error));
    }
    return this.#settle(pending, this.deadlineMs, this.#readFailed);
  }

  begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket | undefined> {
    return this.#guard('begin', () => this.store.begin(key, tags, tagLifeMs));
  }

  tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[] | undefined> {
    return this.#guard('tagVersions', () => this.store.tagVersions(tags, tagLifeMs));
  }

  /** True when stored; false when fenced off or failed. */
  async fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number, lease?: string): Promise<boolean> {
    return (await this.#guard('fill', () => this.store.fill(key, ticket, payload, ttlMs, lease))) === true;
  }

  async put(key: string, payload: Uint8Array, ttlMs: number): Promise<boolean> {
    return (await this.#guard('put', async () => (await this.store.put(key, payload, ttlMs), true))) === true;
  }

  async invalidate(keys: readonly string[]): Promise<boolean> {
    return (await this.#guard('invalidate', async () => (await this.store.invalidate(keys), true))) === true;
  }

  async invalidateTags(tags: readonly string[]): Promise<boolean> {
    return (await this.#guard('invalidateTags', async () => (await this.store.invalidateTags(tags), true))) === true;
  }

  /** True when this token now holds the lease, false when someone else does, undefined when the store failed. */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean | undefined> {
    return this.#guard('acquireLease', () => this.store.acquireLease(key, token, ttlMs));
  }

  async releaseLease(key: string, token: string, holdMs?: number): Promise<void> {
    await this.#guard('releaseLease', () => this.store.releaseLease(key, token, holdMs));
  }

  // Built once: a read (the hit path) allocates no handlers of its own.
  readonly #succeeded = <T>(result: T): T => {
    this.breaker.success();
    return result;
  };
  readonly #readFailed = (error: unknown): undefined => this.#failed('read', error, this.deadlineMs);

  #guard<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    const deadlineMs = this.deadlineMs;
    if (!this.breaker.allow()) return SKIPPED;
    const onFailure = (error: unknown) => this.#failed(operation, error, deadlineMs);
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      return Promise.resolve(onFailure(error));
    }
    return this.#settle(pending, deadlineMs, onFailure);
  }

  // Not an async function: the watch settles the caller's promise itself, no extra await hop.
  #settle<T>(
    pending: Promise<T>,
    deadlineMs: number,
    onFailure: (error: unknown) => undefined,
  ): Promise<T | undefined> {
    // An in-process store answers or throws at once; only a networked one needs the deadline.
    if (this.store.kind === 'memory') return pending.then(this.#succeeded, onFailure);
    return this.#watch.run<T, T | undefined>(pending, deadlineMs, this.#succeeded, onFailure);
  }

  #failed(operation: string, error: unknown, deadlineMs: number): undefined {
    const opened = this.breaker.failure();
    const reason = error instanceof DeadlineExceeded ? `no answer within ${deadlineMs} ms` : (error as Error)?.message;
    this.log.warn(
      `store-${operation}`,
      `Cache ${this.store.kind} ${operation} failed (${reason}); serving from the origin.`,
    );
    if (opened) {
      this.log.error('breaker', `Cache ${this.store.kind} keeps failing; skipping it for a while, then probing.`);
    }
    return undefined;
  }
}

const SKIPPED: Promise<undefined> = Promise.resolve(undefined);
