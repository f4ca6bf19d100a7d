import { EntryStore, FillTicket, StoredRead } from '../../stores/entry-store.interface.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DeadlineExceeded, DeadlineWatch } from './deadline-watch.js';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import { StoreFailure, causeOf } from './store-failure.js';

/** Reads and writes each have a breaker: a store that reads but cannot write is not healthy. */
export interface StoreBreakers {
  reads: CircuitBreaker;
  writes: CircuitBreaker;
}

/** Told of every failed store call and of the store answering again after its breaker opened. */
export interface StoreObserver {
  failed(failure: StoreFailure): void;
  recovered(): void;
}

/**
 * The store as the engine sees it: every call is bounded by our own deadline (a client-side
 * timeout alone does not cover a frozen server or a stuck socket), failures are logged
 * rate-limited, reported with their cause and never thrown (they resolve to undefined), and
 * breakers skip the store while it keeps failing. Reads and writes are judged apart, and while
 * writes keep failing (READONLY, out of memory) reads are skipped too: a cache that cannot evict
 * must not serve; a write probe per cooldown finds out when writes work again. A write that timed
 * out here may still be applied by Redis later: fills are compare-and-set against a version, so a
 * late one cannot resurrect an invalidated value.
 */
export class GuardedStore {
  readonly #watch: DeadlineWatch;
  readonly #reads: CircuitBreaker;
  readonly #writes: CircuitBreaker;
  #downSince?: number;

  constructor(
    readonly store: EntryStore,
    private readonly deadlineMs: number,
    breakers: StoreBreakers,
    private readonly log: RateLimitedLogger,
    private readonly observer: StoreObserver,
  ) {
    this.#reads = breakers.reads;
    this.#writes = breakers.writes;
    this.#watch = new DeadlineWatch(Math.max(1, Math.round(deadlineMs / 10)));
  }

  /** 'open' while reads or writes are skipped. */
  get breakers(): { reads: 'open' | 'closed'; writes: 'open' | 'closed' } {
    return { reads: this.#reads.isOpen ? 'open' : 'closed', writes: this.#writes.isOpen ? 'open' : 'closed' };
  }

  /** The connection is back (a reconnect): let the next calls probe at once instead of after the cooldown. */
  probeSoon(): void {
    this.#reads.probeSoon();
    this.#writes.probeSoon();
  }

  /** The hit path: the same as every other operation, written out so it allocates no closure. */
  read(key: string, tags: readonly string[]): Promise<StoredRead | undefined> {
    if (this.#writes.isOpen) {
      this.#probeWrites();
      return SKIPPED;
    }
    if (!this.#reads.allow()) return SKIPPED;
    let pending: Promise<StoredRead>;
    try {
      pending = this.store.read(key, tags);
    } catch (error) {
      return Promise.resolve(this.#readFailed(error));
    }
    return this.#settle(pending, this.#readSucceeded, this.#readFailed);
  }

  /** Many entries at once (a batch's hits), judged as one read: one deadline, one breaker verdict. */
  readMany(reads: readonly { key: string; tags: readonly string[] }[]): Promise<StoredRead[] | undefined> {
    if (this.#writes.isOpen) {
      this.#probeWrites();
      return SKIPPED;
    }
    if (!this.#reads.allow()) return SKIPPED;
    const store = this.store;
    let pending: Promise<StoredRead[]>;
    try {
      pending = store.readMany
        ? store.readMany(reads)
        : Promise.all(reads.map((read) => store.read(read.key, read.tags)));
    } catch (error) {
      return Promise.resolve(this.#readFailed(error));
    }
    // A chunk of entries costs more than one on the wire and in decoding: one deadline per 100 of them.
    const deadlineMs = this.deadlineMs * Math.max(1, Math.ceil(reads.length / BATCH_READS_PER_DEADLINE));
    return this.#settle(pending, this.#readSucceeded, this.#readFailed, deadlineMs);
  }

  begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket | undefined> {
    return this.#guard('begin', () => this.store.begin(key, tags, tagLifeMs));
  }

  tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[] | undefined> {
    return this.#guard('tagVersions', () => this.store.tagVersions(tags, tagLifeMs));
  }

  /**
   * The versions of tags taken from a loaded value, fenced by `ticket`: `{ versions: undefined }`
   * when one was evicted during the load (or the store cannot tell), undefined when the store failed.
   */
  valueTagVersions(
    tags: readonly string[],
    tagLifeMs: number,
    ticket: FillTicket,
  ): Promise<{ versions: string[] | undefined } | undefined> {
    const store = this.store;
    return this.#guard('tagVersions', async () => ({
      versions: store.valueTagVersions ? await store.valueTagVersions(tags, tagLifeMs, ticket) : undefined,
    }));
  }

  /** True when stored; false when fenced off or failed. */
  async fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number, lease?: string): Promise<boolean> {
    return (await this.#guard('fill', () => this.store.fill(key, ticket, payload, ttlMs, lease))) === true;
  }

  async put(key: string, payload: Uint8Array, ttlMs: number, valueTags?: readonly string[]): Promise<boolean> {
    const put = async () => (await this.store.put(key, payload, ttlMs, valueTags), true);
    return (await this.#guard('put', put)) === true;
  }

  /** The tag versions this instance last saw, where the store can check them with a put (see `putChecked`). */
  knownTagVersions(tags: readonly string[]): string[] | undefined {
    return this.store.putChecked ? this.store.knownTagVersions?.(tags) : undefined;
  }

  /** `put` if the tags still have these versions: true when stored, false when one changed, undefined when the store failed. */
  putChecked(
    key: string,
    payload: Uint8Array,
    ttlMs: number,
    valueTags: readonly string[] | undefined,
    tags: readonly string[],
    tagVersions: readonly string[],
    tagLifeMs: number,
  ): Promise<boolean | undefined> {
    const store = this.store;
    return this.#guard('put', () => store.putChecked!(key, payload, ttlMs, valueTags, tags, tagVersions, tagLifeMs));
  }

  async invalidate(keys: readonly string[]): Promise<boolean> {
    return (await this.#guard('invalidate', async () => (await this.store.invalidate(keys), true))) === true;
  }

  async invalidateTags(tags: readonly string[]): Promise<boolean> {
    return (await this.#guard('invalidateTags', async () => (await this.store.invalidateTags(tags), true))) === true;
  }

  /** True when this token now holds the lease, false when someone else does, undefined when the store failed. */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean | undefined> {
    return this.#leasing(key, token, () => this.store.acquireLease(key, token, ttlMs));
  }

  /** The lease and, for its holder, the fill's snapshot: a ticket, false when held elsewhere, undefined on failure. */
  leaseAndBegin(
    key: string,
    token: string,
    ttlMs: number,
    tags: readonly string[],
    tagLifeMs: number,
  ): Promise<FillTicket | false | undefined> {
    const store = this.store;
    return this.#leasing(key, token, async () => {
      if (store.leaseAndBegin) return store.leaseAndBegin(key, token, ttlMs, tags, tagLifeMs);
      return (await store.acquireLease(key, token, ttlMs)) && store.begin(key, tags, tagLifeMs);
    });
  }

  /** Gives a lease back. Not skipped while the breaker is open: a lease kept by mistake holds other instances' waiters. */
  async releaseLease(key: string, token: string, holdMs?: number): Promise<void> {
    await this.#run('releaseLease', () => this.store.releaseLease(key, token, holdMs));
  }

  // A lease request that missed its deadline may still be granted when it reaches Redis, to a
  // caller that has moved on without the store: nobody would fill under it, and every other
  // instance missing the entry would wait for it up to its wait bound. Given back once it arrives.
  #leasing<T>(key: string, token: string, call: () => Promise<T>): Promise<T | undefined> {
    let sent: Promise<T> | undefined;
    return this.#guard('acquireLease', () => (sent = call())).then((result) => {
      if (result === undefined && sent) {
        sent.then(
          (late) => late && this.store.releaseLease(key, token).catch(() => undefined),
          () => undefined,
        );
      }
      return result;
    });
  }

  // One harmless write per cooldown while writes are skipped: the only way to learn they work again
  // when nothing else writes (reads, and so loads, skip the store meanwhile).
  #probeWrites(): void {
    if (!this.#writes.allow()) return;
    void this.#run('probe', () => this.store.probe());
  }

  // Built once: a read (the hit path) allocates no handlers of its own.
  readonly #readSucceeded = <T>(result: T): T => {
    if (this.#reads.success()) this.#recovered();
    return result;
  };
  readonly #writeSucceeded = <T>(result: T): T => {
    if (this.#writes.success()) this.#recovered();
    return result;
  };
  readonly #readFailed = (error: unknown): undefined => this.#failed('read', error);

  // Every operation but `read` writes (versions, fills, leases, evictions).
  #guard<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    if (!this.#writes.allow()) return SKIPPED;
    return this.#run(operation, call);
  }

  #run<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    const onFailure = (error: unknown) => this.#failed(operation, error);
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      return Promise.resolve(onFailure(error));
    }
    return this.#settle(pending, this.#writeSucceeded, onFailure);
  }

  // Not an async function: the watch settles the caller's promise itself, no extra await hop.
  #settle<T>(
    pending: Promise<T>,
    onValue: (value: T) => T,
    onFailure: (error: unknown) => undefined,
    deadlineMs = this.deadlineMs,
  ): Promise<T | undefined> {
    // An in-process store answers or throws at once; only a networked one needs the deadline.
    if (this.store.kind === 'memory') return pending.then(onValue, onFailure);
    return this.#watch.run<T, T | undefined>(pending, deadlineMs, onValue, onFailure);
  }

  #failed(operation: string, error: unknown): undefined {
    const direction = operation === 'read' ? 'read' : 'write';
    const opened = (direction === 'read' ? this.#reads : this.#writes).failure();
    const cause = causeOf(error);
    const message =
      error instanceof DeadlineExceeded ? `no answer within ${this.deadlineMs} ms` : String((error as Error)?.message);
    this.observer.failed({ operation, direction, cause, message });
    this.log.warn(
      `store-${operation}`,
      `Cache ${this.store.kind} ${operation} failed (${message}); serving from the origin.`,
    );
    if (opened) {
      this.#downSince ??= Date.now();
      this.log.error(
        `breaker-${direction}`,
        `Cache ${this.store.kind} keeps failing ${direction}s (${cause}); skipping it for a while, then probing.`,
      );
    }
    return undefined;
  }

  #recovered(): void {
    if (this.#reads.isOpen || this.#writes.isOpen || this.#downSince === undefined) return;
    const seconds = ((Date.now() - this.#downSince) / 1000).toFixed(1);
    this.#downSince = undefined;
    this.log.info(`Cache ${this.store.kind} answers again after ${seconds} s; using it again.`);
    this.observer.recovered();
  }
}

const SKIPPED: Promise<undefined> = Promise.resolve(undefined);
const BATCH_READS_PER_DEADLINE = 100;
