import { LRUCache } from 'lru-cache';
import { messages } from '../../errors/messages.js';
import { within } from '../../timing/within.js';
import { nextVersion } from '../../stores/version-nonce.js';
import { CacheEngine, LoadControl } from '../cache.engine.js';
import { EntryPlan } from '../entry/entry-plan.js';
import { GuardedStore } from '../store-guard/guarded-store.js';
import { CacheStatsRecorder } from '../../observability/cache-stats.js';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const DEFAULT_LEASE_MS = 10_000;
// Failure records kept for backoff. The lease held for the backoff (in the store) is what spaces
// retries across instances; a record dropped early only costs this process one lease attempt.
const MAX_FAILURE_RECORDS = 10_000;

/**
 * Background refreshes of stale (SWR) or early-refresh (XFetch) entries: one per key in this
 * process, one per key across instances (a lease), abandoned after a timeout, spaced by
 * exponential backoff after failures (the lease is kept for the backoff, so other instances wait
 * too). Failures never reach callers: they keep getting the stale value until hard expiry.
 */
export class BackgroundRefresher {
  readonly #running = new Map<string, Promise<void>>();
  readonly #failures: LRUCache<string, { count: number; retryAt: number }>;
  #closed = false;

  constructor(
    private readonly engine: CacheEngine,
    private readonly store: GuardedStore,
    private readonly stats: CacheStatsRecorder,
    private readonly log: RateLimitedLogger,
    maxFailureRecords = MAX_FAILURE_RECORDS,
  ) {
    this.#failures = new LRUCache({ max: maxFailureRecords });
  }

  /** Starts a refresh of this entry unless one is running, backing off, or we are shutting down. */
  trigger(plan: EntryPlan, load: () => Promise<unknown>): void {
    if (this.#closed || this.#running.has(plan.key)) return;
    const failure = this.#failures.get(plan.key);
    if (failure && failure.retryAt > Date.now()) return;
    const run = this.#refresh(plan, load).finally(() => this.#running.delete(plan.key));
    this.#running.set(plan.key, run);
  }

  get running(): number {
    return this.#running.size;
  }

  /** How many keys have a failed refresh on record (for their backoff). */
  get failingKeys(): number {
    return this.#failures.size;
  }

  /** Waits for running refreshes up to `boundMs`, then abandons them; no refresh starts afterwards. */
  async drain(boundMs: number): Promise<void> {
    this.#closed = true;
    await within(Promise.allSettled([...this.#running.values()]), boundMs);
  }

  async #refresh(plan: EntryPlan, load: () => Promise<unknown>): Promise<void> {
    const token = nextVersion();
    const leaseMs = plan.lock?.leaseMs ?? plan.swr?.refreshTimeoutMs ?? DEFAULT_LEASE_MS;
    const acquired = await this.store.acquireLease(plan.key, token, leaseMs);
    if (acquired !== true) return; // another instance refreshes, or the store is unavailable
    const started = performance.now();
    const stats = this.stats.for(plan.name);
    stats.refreshes++;
    this.engine.emit({ type: 'refresh-start', name: plan.name, key: plan.key });
    // The lease also lets the refresh store if the entry expires while it loads (nothing evicted it).
    const control: LoadControl = { abandoned: false, lease: token, refresh: true };
    try {
      const timeoutMs = plan.swr?.refreshTimeoutMs ?? leaseMs;
      // Abandoned in the timer itself: its late result must not overwrite a newer one.
      const outcome = await within(this.engine.loadAndStore(plan, load, control), timeoutMs, () => {
        control.abandoned = true;
      });
      if (!outcome) throw new Error(messages.refreshAbandoned(timeoutMs));
      this.#failures.delete(plan.key);
      if (!(await outcome.leaseGivenBack)) await this.store.releaseLease(plan.key, token);
      this.engine.emit({
        type: 'refresh-success',
        name: plan.name,
        key: plan.key,
        durationMs: performance.now() - started,
      });
    } catch (error) {
      const count = (this.#failures.get(plan.key)?.count ?? 0) + 1;
      const backoffMs = Math.min(BACKOFF_BASE_MS * 2 ** (count - 1), BACKOFF_MAX_MS);
      // Kept a while past the backoff so that a key failing again backs off longer; a key not
      // retried within that while starts over (read lazily: no timer per record).
      this.#failures.set(plan.key, { count, retryAt: Date.now() + backoffMs }, { ttl: backoffMs + BACKOFF_MAX_MS });
      await this.store.releaseLease(plan.key, token, backoffMs);
      stats.refreshErrors++;
      const reason = error instanceof Error ? error.message : String(error);
      this.engine.emit({
        type: 'refresh-error',
        name: plan.name,
        key: plan.key,
        durationMs: performance.now() - started,
        reason,
      });
      this.log.warn(
        `refresh:${plan.name}`,
        `Refreshing ${plan.where} ('${plan.key}') failed: ${reason}; serving the stale value, retrying in ${backoffMs} ms.`,
      );
    }
  }
}
