import { CheckedPut, EntryStore, FillTicket, StoredRead } from '../../stores/entry-store.interface.js';
import { AdmissionGate, AdmissionSnapshot, AdmissionTerms, StoreTurns, storeTurns } from './admission-gate.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DeadlineWatch } from './deadline-watch.js';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import { StoreBreakers, StoreHealth, StoreObserver } from './store-health.js';

export type { StoreBreakers, StoreObserver } from './store-health.js';

/**
 * The store as the engine sees it: every call is bounded by our own deadline (a client-side
 * timeout alone does not cover a frozen server or a stuck socket), failures are logged
 * rate-limited, reported with their cause and never thrown (they resolve to undefined), and
 * breakers skip the store while it keeps failing. Reads and writes are judged apart, and while
 * writes keep failing (READONLY, out of memory) reads are skipped too: a cache that cannot evict
 * must not serve; a write probe per cooldown finds out when writes work again. A write that timed
 * out here may still be applied by Redis later: fills are compare-and-set against a version, so a
 * late one cannot resurrect an invalidated value. At most `maxInFlight` calls are in flight at
 * once; the rest wait their turn (AdmissionGate), so a burst is not mistaken for a failing store:
 * the deadline runs from when a call is sent, and a caller's call that waits too long for its turn
 * gives up without a verdict on the store.
 */
export class GuardedStore {
  readonly #watch: DeadlineWatch;
  readonly #reads: CircuitBreaker;
  readonly #writes: CircuitBreaker;
  readonly #gate: AdmissionGate;
  // An in-process store answers or throws at once: it needs neither deadline nor admission.
  readonly #networked: boolean;
  readonly #turns: StoreTurns;
  readonly #health: StoreHealth;

  constructor(
    readonly store: EntryStore,
    private readonly deadlineMs: number,
    breakers: StoreBreakers,
    log: RateLimitedLogger,
    observer: StoreObserver,
    maxInFlight = Infinity,
  ) {
    this.#reads = breakers.reads;
    this.#writes = breakers.writes;
    this.#watch = new DeadlineWatch(Math.max(1, Math.round(deadlineMs / 10)));
    const batch = (send: () => void) => (store.corked ? store.corked(send) : send());
    this.#gate = new AdmissionGate(maxInFlight, this.#watch, batch);
    // A real fault (calls in flight failing): what waits for a slot is skipped now, not later.
    const opened = (direction: 'read' | 'write') => this.#gate.drop(direction);
    this.#health = new StoreHealth(breakers, store.kind, deadlineMs, log, observer, opened);
    this.#networked = store.kind !== 'memory';
    this.#turns = storeTurns(deadlineMs);
  }

  /** Store calls in flight and waiting for a slot (see AdmissionGate). */
  get admission(): AdmissionSnapshot {
    return this.#gate.snapshot();
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

  /** The hit path: the same as every other operation, written out so it allocates no closure when sent at once. */
  read(key: string, tags: readonly string[]): Promise<StoredRead | undefined> {
    if (this.#writes.isOpen) {
      this.#probeWrites();
      return SKIPPED;
    }
    if (!this.#reads.allow()) return SKIPPED;
    if (this.#networked && !this.#enter(this.#reads)) {
      return this.#gate.waitTurn(this.#turns.read, () => this.#sendRead(key, tags));
    }
    return this.#sendRead(key, tags);
  }

  #sendRead(key: string, tags: readonly string[]): Promise<StoredRead | undefined> {
    let pending: Promise<StoredRead>;
    try {
      pending = this.store.read(key, tags);
    } catch (error) {
      return this.#thrown(this.#health.readFailed, error);
    }
    return this.#settle(pending, this.#health.readSucceeded, this.#health.readFailed);
  }

  /** Many entries at once (a batch's hits), judged as one read: one deadline, one breaker verdict. */
  readMany(reads: readonly { key: string; tags: readonly string[] }[]): Promise<StoredRead[] | undefined> {
    if (this.#writes.isOpen) {
      this.#probeWrites();
      return SKIPPED;
    }
    if (!this.#reads.allow()) return SKIPPED;
    const store = this.store;
    const send = (): Promise<StoredRead[] | undefined> => {
      let pending: Promise<StoredRead[]>;
      try {
        pending = store.readMany
          ? store.readMany(reads)
          : Promise.all(reads.map((read) => store.read(read.key, read.tags)));
      } catch (error) {
        return this.#thrown(this.#health.readFailed, error);
      }
      // A chunk of entries costs more than one on the wire and in decoding: one deadline per 100 of them.
      const deadlineMs = this.deadlineMs * Math.max(1, Math.ceil(reads.length / BATCH_READS_PER_DEADLINE));
      return this.#settle(pending, this.#health.readSucceeded, this.#health.readFailed, deadlineMs);
    };
    return this.#admit(this.#reads, this.#turns.read, send);
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

  /** True when stored; false when fenced off; undefined when the store failed or the fill was skipped. */
  fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number): Promise<boolean | undefined> {
    return this.#guard('fill', () => this.store.fill(key, ticket, payload, ttlMs), this.#turns.background);
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
  putChecked(put: CheckedPut): Promise<boolean | undefined> {
    const store = this.store;
    return this.#guard('put', () => store.putChecked!(put));
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
      if (!(await store.acquireLease(key, token, ttlMs))) return false;
      return { ...(await store.begin(key, tags, tagLifeMs)), lease: token };
    });
  }

  /** Gives a lease back. Not skipped while the breaker is open: a lease kept by mistake holds other instances' waiters. */
  async releaseLease(key: string, token: string, holdMs?: number): Promise<void> {
    await this.#run('releaseLease', () => this.store.releaseLease(key, token, holdMs), this.#turns.release);
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

  // Every operation but `read` writes (versions, fills, leases, evictions).
  #guard<T>(operation: string, call: () => Promise<T>, turn = this.#turns.caller): Promise<T | undefined> {
    if (!this.#writes.allow()) return SKIPPED;
    return this.#run(operation, call, turn);
  }

  #run<T>(operation: string, call: () => Promise<T>, turn = this.#turns.caller): Promise<T | undefined> {
    const onFailure = (error: unknown) => this.#health.failed(operation, error);
    const send = (): Promise<T | undefined> => {
      let pending: Promise<T>;
      try {
        pending = call();
      } catch (error) {
        return this.#thrown(onFailure, error);
      }
      return this.#settle(pending, this.#health.writeSucceeded, onFailure);
    };
    return this.#admit(this.#writes, turn, send);
  }

  // Sent now when a slot is free, else once its turn comes (or never: see AdmissionGate.waitTurn).
  #admit<T>(breaker: CircuitBreaker, turn: AdmissionTerms, send: () => Promise<T | undefined>): Promise<T | undefined> {
    if (!this.#networked || this.#enter(breaker)) return send();
    return this.#gate.waitTurn(turn, send);
  }

  // A call let through an open breaker (its probe, a lease release) skips the queue: the breaker's
  // verdict must not wait behind calls that are dropped anyway, nor give up before it is sent.
  #enter(breaker: CircuitBreaker): boolean {
    if (!breaker.isOpen) return this.#gate.tryEnter();
    this.#gate.enterNow();
    return true;
  }

  // Not an async function: the watch settles the caller's promise itself, no extra await hop.
  #settle<T>(
    pending: Promise<T>,
    onValue: (value: T) => T,
    onFailure: (error: unknown) => undefined,
    deadlineMs = this.deadlineMs,
  ): Promise<T | undefined> {
    // An in-process store answers or throws at once; only a networked one needs the deadline.
    if (!this.#networked) return pending.then(onValue, onFailure);
    return this.#watch.run<T, T | undefined>(pending, deadlineMs, onValue, onFailure, this.#leave);
  }

  // A call that threw before it was sent: reported, and its slot freed.
  #thrown(onFailure: (error: unknown) => undefined, error: unknown): Promise<undefined> {
    onFailure(error);
    if (this.#networked) this.#gate.leave();
    return SKIPPED;
  }

  readonly #leave = (): void => this.#gate.leave();
}

const SKIPPED: Promise<undefined> = Promise.resolve(undefined);
const BATCH_READS_PER_DEADLINE = 100;
