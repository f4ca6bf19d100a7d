import { SwrSettings } from '../../definitions/cache-definition.js';
import type { FailSafeSettings } from '../../definitions/fail-safe-settings.js';
import type { Reviver } from '../../serialization/revive.js';

/** Cross-instance single-flight settings, in ms. */
export interface LockSettings {
  /** How long other instances wait for the loading one before loading themselves. */
  waitMs: number;
  /** Lifetime of the load lease (released early when the load ends). */
  leaseMs: number;
}

/** Everything the engine needs to read or write one entry. */
export interface EntryPlan {
  /** Full store key. */
  key: string;
  /** Store keys of the tags the entry carries. */
  readonly tags: string[];
  /** Cache name, for stats, events and logs. */
  name: string;
  /** Who asked, for error texts: 'ProductService#findOne'. */
  where: string;
  /** Hard TTL (without swr). */
  ttlMs: number;
  /** The hard TTL of this value when the definition's `ttl` is a function (throws when it fails); replaces ttlMs. */
  readonly ttlFor?: (value: unknown) => number;
  /**
   * Store keys of the tags a loaded value adds (the definition's `resultTags`, scoped as `tags`);
   * absent without that option. Throws when the function fails. Not called for null or undefined.
   */
  readonly valueTagsFor?: (value: unknown) => string[];
  jitter: number;
  /** TTL for null/undefined results; undefined: they are not stored. */
  cacheNullMs?: number;
  /** Returns false to keep a result out of the cache (`unless`). */
  shouldStore?: (value: unknown) => boolean;
  swr?: SwrSettings;
  earlyRefreshBeta?: number;
  /** Cross-instance single-flight on a miss; undefined: off. */
  lock?: LockSettings;
  /** How long callers wait for a load before a CacheLoadTimeoutError; undefined: as long as it takes. */
  loadTimeoutMs?: number;
  /** Keep the last good value past expiry and answer with it when a load fails; undefined: off. */
  failSafe?: FailSafeSettings;
  /** With a fail-safe value, answer with it after this long; undefined: off. */
  softTimeoutMs?: number;
  /** false: a load all of whose callers timed out does not store its result. Default: true. */
  storeAfterTimeout?: boolean;
  /** Turns a value from the cache (or the method) into what the method returns (`type`/`revive`); undefined: as it is. */
  revive?: Reviver;
}

/**
 * The longest an entry of this plan can live (jitter included): its tag versions must live as
 * long. With `value` known (a put), a TTL function decides; before a load, the plan's ttlMs.
 */
export function longestLifeMs(plan: EntryPlan, value?: unknown): number {
  const life = plan.swr ? plan.swr.freshMs + plan.swr.staleMs : ttlOfValue(plan, value);
  const jittered = Math.ceil(Math.max(life, plan.cacheNullMs ?? 0) * (1 + plan.jitter));
  return plan.failSafe ? Math.max(jittered, plan.failSafe.maxAgeMs) : jittered;
}

/** How long the store keeps an entry of `lifeMs` (its logical life): longer with fail-safe, never for null. */
export function storedLifeMs(plan: EntryPlan, lifeMs: number, isNull: boolean): number {
  return plan.failSafe && !isNull ? Math.max(lifeMs, plan.failSafe.maxAgeMs) : lifeMs;
}

function ttlOfValue(plan: EntryPlan, value: unknown): number {
  if (!plan.ttlFor || value === undefined || value === null) return plan.ttlMs;
  try {
    return plan.ttlFor(value);
  } catch {
    return plan.ttlMs; // the codec reports it and stores nothing
  }
}

/** The value as callers get it: an instance of the definition's `type`, or what its `revive` returns. */
export function revived(plan: EntryPlan, value: unknown): unknown {
  return plan.revive ? plan.revive(value) : value;
}
