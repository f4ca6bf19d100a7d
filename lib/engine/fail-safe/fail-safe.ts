import { messages } from '../../errors/messages.js';
import { CacheStatsRecorder } from '../../observability/cache-stats.js';
import { CacheEvent } from '../../observability/cache-event.interface.js';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import { FillTicket } from '../../stores/entry-store.interface.js';
import { EntryCodec } from '../entry/entry-codec.js';
import { EntryPlan, revived } from '../entry/entry-plan.js';
import { sameVersions } from '../entry/entry-validity.js';
import { wrap } from '../entry/envelope.js';
import { LoadOutcome } from '../engine.types.js';
import { GuardedStore } from '../store-guard/guarded-store.js';
import { FailSafeCandidate, qualifies } from './fail-safe-candidate.js';

/** What the fail-safe needs of the engine besides the store and the codec. */
export interface FailSafeContext {
  stats: CacheStatsRecorder;
  emit(event: CacheEvent): void;
  log: RateLimitedLogger;
  /** The candidate read before this load, if no invalidation was seen here since (else undefined). */
  candidateOf(plan: EntryPlan): FailSafeCandidate | undefined;
  /** True while an eviction of this entry or its tags waits for a retry: nothing of it may be served. */
  blocked(plan: EntryPlan): boolean;
}

/**
 * Answers a failed load with the entry's last good value instead of the error, when the plan has
 * `failSafe`. The entry is read again first, so an eviction (of the key: the entry is gone; of a
 * tag or the name: its version changed) made while the load ran is seen and nothing is served.
 * The value is then re-armed in the store as fresh for `throttle`, fenced by the version the load
 * began with, so every instance serves it meanwhile and the origin sees one retry per throttle.
 */
export class FailSafe {
  constructor(
    private readonly store: GuardedStore,
    private readonly codec: EntryCodec,
    private readonly context: FailSafeContext,
  ) {}

  /** The last good value for a failed load of `plan`, or throws `error` when there is none to serve. */
  async rescue(plan: EntryPlan, error: unknown, ticket: FillTicket | undefined): Promise<LoadOutcome> {
    const failSafe = plan.failSafe;
    if (!failSafe || !qualifies(failSafe.when, error)) throw error;
    const current = await this.store.read(plan.key, plan.tags);
    let served: FailSafeCandidate | undefined;
    if (current) {
      const envelope = current.payload && this.codec.unwrap(current.payload);
      if (!envelope || !sameVersions(envelope, current.tagVersions)) throw error; // evicted, or never stored
      const decoded = this.codec.decode(envelope, plan);
      if (!decoded) throw error;
      const now = Date.now();
      const { createdAt, loadMs, expiresAt } = envelope.meta;
      if (expiresAt > now || expiresAt <= 0) return { value: revived(plan, decoded.value), body: decoded.body }; // stored meanwhile
      const endsAt = createdAt + failSafe.maxAgeMs;
      if (endsAt <= now) throw error;
      served = { ...decoded, createdAt };
      if (ticket) {
        const meta = { createdAt, freshUntil: 0, loadMs, expiresAt: Math.min(endsAt, now + failSafe.throttleMs) };
        const payload = wrap(envelope.body, meta, envelope.tagVersions, envelope.compressed);
        // The re-armed entry keeps the tags its value added: their versions are in the envelope.
        await this.store.fill(plan.key, { ...ticket, valueTags: current.valueTags }, payload, endsAt - now);
      }
    } else {
      // The store failed just now: the value read before the load, unless an eviction was seen since.
      served = this.context.candidateOf(plan);
      if (!served || this.context.blocked(plan) || served.createdAt + failSafe.maxAgeMs <= Date.now()) throw error;
    }
    // The loading caller gets the same kind of object as its joiners and later callers (`type`, `revive`).
    return { value: revived(plan, served.value), body: served.body, failSafe: causeText(error) };
  }

  /** Counts and reports one caller answered with a fail-safe value, and why. */
  served(plan: EntryPlan, cause: string): void {
    this.context.stats.for(plan.name).failSafeHits++;
    this.context.emit({ type: 'fail-safe', name: plan.name, key: plan.key, reason: cause });
    this.context.log.warn(
      `fail-safe:${plan.name}`,
      messages.failSafeServed(plan.where, plan.key, cause, plan.failSafe!.throttleMs),
    );
  }
}

/** An error's message, for events and logs. */
export function causeText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
