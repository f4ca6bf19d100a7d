import { CacheKitHealthError } from './terminus.errors.js';
import { terminusMessages } from './terminus.messages.js';

/** What the indicator reports while the store is unreachable or a breaker is open. */
export type StoreDownStatus = 'degraded' | 'down' | 'up';

/** Options of `CacheKitHealthModule.forRoot`. */
export interface CacheKitHealthModuleOptions {
  /** Name of the result in the health check's output. Default: `'cache'`. */
  key?: string;
  /** How long a PING may take before the store counts as unreachable, ms. Default: `1000`. */
  timeoutMs?: number;
  /**
   * Status while Redis is unreachable or a breaker is open. Default: `'degraded'`: the cache fails
   * open (every call still gets the origin's answer), so an outage of Redis must not take every pod
   * out of rotation at once; terminus answers 200 for degraded. `'down'` only if this app cannot
   * serve without its cache.
   */
  whenStoreDown?: StoreDownStatus;
}

/** The options with their defaults, checked. */
export type ResolvedHealthOptions = Required<CacheKitHealthModuleOptions>;

/** Checks the options and fills in the defaults; throws a CacheKitHealthError naming the bad option. */
export function resolveHealthOptions(options: CacheKitHealthModuleOptions): ResolvedHealthOptions {
  const { key = 'cache', timeoutMs = 1_000, whenStoreDown = 'degraded' } = options;
  if (typeof key !== 'string' || key.length === 0) throw new CacheKitHealthError(terminusMessages.invalidKey(key));
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new CacheKitHealthError(terminusMessages.invalidTimeout(timeoutMs));
  if (!['degraded', 'down', 'up'].includes(whenStoreDown))
    throw new CacheKitHealthError(terminusMessages.invalidWhenStoreDown(whenStoreDown));
  return { key, timeoutMs, whenStoreDown };
}
