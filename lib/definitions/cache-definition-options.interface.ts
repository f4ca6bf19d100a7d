import type { Duration } from './duration.js';
import type { FailSafeOptions, LoadTimeoutOptions } from './fail-safe-settings.js';
import type { AuditOptions } from '../observability/observability.interface.js';
import type { RevivableClass } from '../serialization/revive.js';

/** Options of a cache definition; shared by defineCache and the decorators' inline form. */
export interface CacheDefinitionOptions<A extends unknown[] = any[], R = unknown> {
  /** Cache name, part of every key (letters, digits, `_ - .`). @example 'product' */
  name: string;
  /** Builds the key from the method's arguments. Default: every argument, canonically encoded. */
  key?: (...args: A) => unknown;
  /**
   * Time to live, or a function of the loaded value (and the arguments) returning it, for values
   * that decide (an auction ending in 3 minutes); jitter applies either way. A function that throws
   * or returns no valid duration leaves the value uncached (a store-skipped event says why).
   * Default: the module's `defaultTtl` ('5m').
   * @example ttl: (auction: Auction) => auction.endsAt.getTime() - Date.now()
   */
  ttl?: Duration | ((result: R, ...args: A) => Duration);
  /** TTL spread as a fraction (0.1 = +-10%). Default: the module's `jitter`; 0 turns it off. */
  jitter?: number;
  /** Store null/undefined results for this long (negative caching). Default: off. */
  cacheNull?: Duration | false;
  /** Use the cache only when this returns true. Default: always. */
  condition?: (...args: A) => boolean;
  /** Do not store a result when this returns true. Default: store every result. */
  unless?: (result: R, ...args: A) => boolean;
  /** Tags the entry carries; `evictTags([...])` invalidates every entry carrying one. Default: none. */
  tags?: (...args: A) => readonly string[];
  /**
   * Tags taken from the loaded value (and the arguments), for tags only the value knows (a product
   * whose tags come from its category); the entry carries them besides `tags`, and a load during
   * which one of them is evicted (on any instance) stores nothing. A separate option, not a second
   * form of `tags`: both are functions, so neither the runtime nor the compiler could tell
   * `(id) => ...` from `(result, id) => ...`. Not called for null or undefined results. A function
   * that throws or returns anything but non-empty strings leaves the value uncached (a store-skipped
   * event says why). Default: none.
   * @example resultTags: (product: Product) => [`category:${product.categoryId}`]
   */
  resultTags?: (result: R, ...args: A) => readonly string[];
  /**
   * Stale-while-revalidate instead of `ttl`: fresh for `fresh`, then served stale while one
   * background refresh runs (abandoned after `refreshTimeout`, default 10s), gone after `fresh + stale`.
   */
  swr?: { fresh: Duration; stale: Duration; refreshTimeout?: Duration };
  /** Probabilistic early refresh (XFetch): hot entries refresh in the background shortly before expiry. Default: off. */
  earlyRefresh?: { beta?: number };
  /** Cross-instance single-flight on a miss: one instance loads, others wait up to `wait`. Default: the module's; false turns it off. */
  singleFlight?: false | { wait?: Duration; lease?: Duration };
  /**
   * How long a caller waits for a load (on a miss) before getting a `CacheLoadTimeoutError`; the
   * original caller and those that joined its load alike. The load keeps running and stores its
   * result if it succeeds; callers arriving after the timeout start a new one. Waiters get an error
   * rather than a load of their own, because joiners loading for themselves would multiply the
   * calls to an origin that is already slow. A hung load keeps its cross-instance lease: until the
   * lease (`singleFlight.lease`) expires, new callers wait for it, bounded the same way.
   * Default: the module's `loadTimeout` (off); false turns it off.
   */
  loadTimeout?: Duration | false;
  /**
   * Keeps the last good value past its expiry, for `maxAge` in all, and answers with it when the
   * load fails (or times out) instead of the error; the origin is then retried at most once per
   * `throttle` per key across instances. Evicted values are never served. Null results are not
   * kept. Default: the module's `failSafe` (off); false turns it off.
   * @example failSafe: { maxAge: '1d', throttle: '30s', when: (e) => !(e instanceof NotFoundException) }
   */
  failSafe?: FailSafeOptions | false;
  /**
   * Load timeouts: past `soft` a fail-safe value answers (the load goes on and stores its result);
   * past `hard` callers get a `CacheLoadTimeoutError` (or the fail-safe value). `hard` is the
   * same setting as `loadTimeout`. Default: the module's `timeout`; false turns both off.
   * @example timeout: { soft: '100ms', hard: '2s' }
   */
  timeout?: LoadTimeoutOptions | false;
  /**
   * Staleness audit (shadow reads): for a sample of hits, the method runs again in the background
   * and its result is compared with the cached one; differences are counted in `stats()`,
   * `report()` and Prometheus. Default: the module's `audit` (off); false turns it off.
   * @example audit: { sampleRate: 0.01 }
   */
  audit?: AuditOptions | false;
  /**
   * The class of the method's results: every path (the loading caller, joiners, L1 and store hits)
   * hands out instances of it, so getters and methods work on cached values. Built with
   * class-transformer's `plainToInstance` when it is installed (`@Type()` applies to nested
   * values), otherwise with `Object.create(prototype)` and the own properties assigned. Arrays are
   * revived element by element; null stays null. Default: values come back as the serializer
   * decodes them (plain objects from the store). Exclusive with `revive`.
   * @example type: ProductDto
   */
  type?: RevivableClass;
  /**
   * With a module `scope` (multi-tenancy), every definition is scoped: its keys, tags and
   * evictions belong to the current scope. `false` opts this definition out: its entries are
   * shared by every scope (and evicted by a tag eviction in any of them). Default: scoped.
   */
  scope?: false;
  /**
   * Turns a value into what the method returns, on every path (the method's own result on a miss
   * included, so make it accept an instance too); not called for null or undefined. Exclusive with `type`.
   * @example revive: (plain) => Money.from(plain as MoneyFields)
   */
  revive?: (value: unknown) => R;
}

/** Settings of the stale-while-revalidate windows, in ms. */
export interface SwrSettings {
  freshMs: number;
  staleMs: number;
  refreshTimeoutMs: number;
}
