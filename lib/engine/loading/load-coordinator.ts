import { CacheStatsRecorder } from '../../observability/cache-stats.js';
import { FillNotices } from '../../bus/fill-notices.js';
import { L1Tier } from '../../l1/l1-tier.js';
import { FillTicket } from '../../stores/entry-store.interface.js';
import { EntryCodec } from '../entry/entry-codec.js';
import { EntryPlan, revived } from '../entry/entry-plan.js';
import { LoadControl, LoadOutcome, ReadResult } from '../engine.types.js';
import { BatchBarrier, BatchLoader } from '../batch/batch-barrier.js';
import { FailSafe } from '../fail-safe/fail-safe.js';
import { FailSafeCandidate } from '../fail-safe/fail-safe-candidate.js';
import { waitWithFailSafe } from '../fail-safe/fail-safe-wait.js';
import { OutageFallback } from '../fallback/outage-fallback.js';
import { EntryFiller } from '../filling/entry-filler.js';
import { GuardedStore } from '../store-guard/guarded-store.js';
import { LeaseSteps, loadUnderLease } from './lease-wait.js';
import { loadDeadline } from './load-deadline.js';
import { SingleFlight } from './single-flight.js';

/** What the coordinator uses of the engine's other parts. */
export interface LoadParts {
  store: GuardedStore;
  codec: EntryCodec;
  stats: CacheStatsRecorder;
  filler: EntryFiller;
  failSafe: FailSafe;
  /** A lookup as a lease waiter polls it (not counted). */
  lookup(plan: EntryPlan): Promise<ReadResult>;
  /** The key a load runs under: it changes with every invalidation this instance sees. */
  flightKey(plan: EntryPlan): string;
  l1?: L1Tier;
  fallback?: OutageFallback;
}

/**
 * Runs loads once per key: joined by concurrent callers of this process, under a lease across
 * instances when the definition has one, in batches, and answered from fail-safe values or the
 * outage fallback when the store or the origin fails. Each joiner gets its own copy.
 */
export class LoadCoordinator {
  readonly #flights = new SingleFlight<LoadOutcome>();
  // Fail-safe values read before the loads running now, by flight key (so an invalidation seen
  // here, which changes the key, hides them), for joiners and for a store failing mid-load.
  readonly #candidates = new Map<string, FailSafeCandidate>();
  #fillNotices?: FillNotices;
  readonly #leaseSteps: LeaseSteps;

  constructor(private readonly parts: LoadParts) {
    const { store, stats, filler } = parts;
    this.#leaseSteps = {
      store,
      lookup: parts.lookup,
      loadAndStore: (plan, load, begun) => filler.loadAndStore(plan, load, undefined, begun),
      loadOnly: (plan, load, failed) => {
        if (failed) stats.for(plan.name).storeErrors++;
        return filler.loadOnly(plan, load);
      },
      waitForFill: (plan, ms) =>
        this.#fillNotices ? this.#fillNotices.wait(plan.key, ms) : new Promise<void>((done) => setTimeout(done, ms)),
    };
  }

  /** Lets lease waiters wake on another instance's fill instead of only polling for it. */
  attachFillNotices(notices: FillNotices): void {
    this.#fillNotices = notices;
  }

  /** The fail-safe value read before the load of this entry running now, if any. */
  candidateOf(plan: EntryPlan): FailSafeCandidate | undefined {
    return this.#candidates.get(this.parts.flightKey(plan));
  }

  /** True when a load of this entry that began after the last invalidation is running. */
  isLoading(plan: EntryPlan): boolean {
    return this.#flights.size > 0 && this.#flights.has(this.parts.flightKey(plan));
  }

  /** See `CacheEngine.load`. */
  async load(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    storeUnavailable: boolean,
    stale?: FailSafeCandidate,
  ): Promise<unknown> {
    const { stats, codec, filler, failSafe } = this.parts;
    // The store is down: what this process loaded a moment ago answers, not the origin again.
    const kept = storeUnavailable ? this.parts.fallback?.get(plan.key) : undefined;
    if (kept) {
      stats.for(plan.name).outageHits++;
      return revived(plan, codec.decodeBody(kept));
    }
    const flightKey = this.parts.flightKey(plan);
    const { promise, joined } = this.#flights.run(
      flightKey,
      (abandoned) => {
        const control = plan.storeAfterTimeout === false ? abandonedBy(abandoned) : undefined;
        const steps = control ? { ...this.#leaseSteps, loadAndStore: storing(filler, control) } : this.#leaseSteps;
        if (stale) this.#candidates.set(flightKey, stale);
        const work = storeUnavailable
          ? filler.loadOnly(plan, load)
          : plan.lock
            ? loadUnderLease(steps, plan, load, abandoned)
            : filler.loadAndStore(plan, load, control);
        return stale ? work.finally(() => this.#candidates.delete(flightKey)) : work;
      },
      loadDeadline(plan),
    );
    if (joined) stats.for(plan.name).joins++;
    const candidate = plan.failSafe && (stale ?? this.#candidates.get(flightKey));
    const outcome = candidate ? await waitWithFailSafe(promise, plan, candidate) : await promise;
    if (outcome.failSafe !== undefined) failSafe.served(plan, outcome.failSafe);
    if (!joined && !(outcome.failSafe !== undefined && outcome.value === undefined)) return outcome.value;
    return this.#joinedValue(plan, outcome);
  }

  /** See `CacheEngine.loadMany`. */
  loadMany(plans: readonly EntryPlan[], loader: BatchLoader): Promise<unknown[]> {
    const barrier = new BatchBarrier(loader);
    const values = plans.map((plan, i) => {
      const { promise, joined } = this.#flights.run(
        this.parts.flightKey(plan),
        () => this.parts.filler.loadAndStore(plan, () => barrier.load(i)),
        loadDeadline(plan),
      );
      if (joined) this.parts.stats.for(plan.name).joins++;
      else barrier.expect(i);
      return promise.then((outcome) => (joined ? this.#joinedValue(plan, outcome) : outcome.value));
    });
    barrier.seal();
    return Promise.all(values);
  }

  #joinedValue(plan: EntryPlan, outcome: LoadOutcome): unknown {
    // The L1 took the loaded value deeply frozen (the loading caller has that very object): a
    // joiner gets it too, as the next L1 hit would, instead of decoding a copy of its own.
    const local = this.parts.l1?.get(plan.key);
    if (local?.hasFrozen && local.frozen === outcome.value) return outcome.value;
    const copy = outcome.body ? this.parts.codec.decodeSharedBody(outcome.body) : privateCopy(outcome.value);
    return revived(plan, copy);
  }
}

function storing(filler: EntryFiller, control: LoadControl) {
  return (plan: EntryPlan, load: () => Promise<unknown>, begun?: FillTicket) =>
    filler.loadAndStore(plan, load, control, begun);
}

/** A control whose `abandoned` follows the flight's signal: set once no caller waits (`timeout.background: false`). */
function abandonedBy(signal: AbortSignal | undefined): LoadControl {
  return {
    get abandoned() {
      return signal?.aborted ?? false;
    },
  };
}

// Joiners of a load whose result was not stored (store down, value not cacheable) still get their
// own copy; what cannot be cloned (functions) is shared as the method returned it.
function privateCopy(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
