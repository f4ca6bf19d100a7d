import type { Invalidation, InvalidationBus } from '../bus/invalidation-bus.js';
import type { L1Tier } from '../l1/l1-tier.js';
import type { OutageFallback } from './fallback/outage-fallback.js';
import type { RequestMemo } from '../scope/request-memo.js';

/**
 * What this process does when an entry, a tag or a whole prefix is invalidated: drop it from L1,
 * tell the other instances (their L1 and their running loads), and bump the generation that keys
 * loads and shared reads.
 */
export class LocalInvalidations {
  // Bumped by every invalidation seen here; part of the single-flight key, so a caller never joins
  // a load that began before an invalidation it could have observed.
  #generation = 0;

  constructor(
    private readonly l1?: L1Tier,
    private bus?: InvalidationBus,
    private readonly fallback?: OutageFallback,
  ) {}

  /** How many invalidations this process has seen; loads and reads are keyed by it. */
  get generation(): number {
    return this.#generation;
  }

  #memo?: RequestMemo;

  /** Connects the L1 bus (set once the subscriber connection is up). */
  attachBus(bus: InvalidationBus): void {
    this.bus = bus;
  }

  /** Connects the per-request memo, which an invalidation made in a request clears. */
  attachMemo(memo: RequestMemo): void {
    this.#memo = memo;
  }

  /**
   * An invalidation happened (here, or on another instance as told by the bus): drop it from L1,
   * and let no new caller join a load that began before it.
   */
  apply(what: Invalidation): void {
    this.#generation++;
    this.fallback?.apply(what);
    if (!this.l1) return;
    if ('keys' in what) this.l1.deleteKeys(what.keys);
    else if ('tags' in what) this.l1.deleteTags(what.tags);
    else this.l1.deletePrefix(what.prefix);
  }

  /** An invalidation made here: applied, then published. Call it after the store write, never before: a local read between the two would re-insert the old value. */
  announce(what: Invalidation): Promise<void> {
    this.#memo?.clear();
    this.apply(what);
    return this.bus ? this.bus.publish(what) : DONE;
  }
}

const DONE = Promise.resolve();
