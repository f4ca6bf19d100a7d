import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { Duration } from '../definitions/duration.js';
import type {
  FailSafeOptions,
  FailSafeSettings,
  LoadTimeoutOptions,
  TimeoutSettings,
} from '../definitions/fail-safe-settings.js';
import { CacheSerializer } from '../serialization/serializer.interface.js';
import type { AuditSettings } from '../definitions/audit-settings.js';
import type { AuditOptions } from '../observability/observability.interface.js';

/** How to reach Redis: a URL, ioredis options, a cluster, or a client you own (never closed by us). */
export type RedisConnection =
  string | RedisOptions | { cluster: ClusterNode[]; options?: ClusterOptions } | Redis | Cluster;

/** Options of `CacheKitModule.forRoot` / `forRootAsync`. */
export interface CacheKitModuleOptions {
  /** Redis to use. Default: none, an in-process memory store (the embedded default). */
  redis?: RedisConnection;
  /** First part of every key. Default: 'cache'. */
  namespace?: string;
  /** TTL of definitions that set none. Default: '5m'. */
  defaultTtl?: Duration;
  /** TTL spread as a fraction: 0.1 means +-10%, 0 turns it off. Default: 0.1. */
  jitter?: number;
  /**
   * Deadline of every store operation; past it the call is served from the origin. Time this
   * process spent busy while Redis kept answering is not counted. Default: 100 (ms).
   */
  operationTimeout?: Duration;
  /**
   * Store calls in flight at once on the connection; more wait their turn, callers' calls ahead of
   * fills and lease releases. Keeps the load one instance puts on Redis in hand. `operationTimeout`
   * covers a call's time in flight; a caller's call that waits longer than it for a slot (while
   * Redis is slow to answer those ahead) goes to the origin without counting as a store failure.
   * The price: right after a burst, reads of keys whose fills are still queued wait for them.
   * Default: no bound (a burst's calls wait in the client's queue; deadlines leave out the time
   * spent busy while Redis answers, so the burst does not open the breaker).
   */
  maxInFlight?: number;
  /** Consecutive store failures that open the breaker, and how long it stays open. Default: { failures: 5, cooldown: '5s' }. */
  breaker?: { failures?: number; cooldown?: Duration };
  /** Largest serialized value stored; larger ones are returned but not cached. Default: 1 MiB. */
  maxValueBytes?: number;
  /** How values become bytes. Default: JSON where exact, else v8 (Date, Map, Set, BigInt, undefined, NaN, -0). */
  serializer?: CacheSerializer;
  /** Deflate serialized values of at least `minBytes` (default 16 KiB) before storing them. Default: off. */
  compression?: false | { minBytes?: number };
  /** Size of the embedded memory store. Default: { maxEntries: 10000 }. */
  memory?: { maxEntries?: number };
  /**
   * Cross-instance single-flight on a miss: one instance loads under a lease, the others wait up to
   * `wait` for its result, then load themselves. Default: { wait: '5s', lease: '10s' }; false: off.
   */
  singleFlight?: false | { wait?: Duration; lease?: Duration };
  /**
   * Evictions (and puts) the store refused or did not answer are retried in the background with
   * exponential backoff from `initialDelay` to `maxDelay`, holding at most `maxPending` entries +
   * tags (the oldest are dropped beyond, and logged). Until one lands, nothing it names is served
   * from the cache by this instance. Default: { initialDelay: '100ms', maxDelay: '5s', maxPending: 100000 }.
   */
  evictionRetry?: { initialDelay?: Duration; maxDelay?: Duration; maxPending?: number };
  /**
   * How long a caller waits for a load (on a miss) before getting a `CacheLoadTimeoutError`, for
   * definitions that set no `loadTimeout`; the load keeps running and stores its result if it
   * succeeds. Default: off (callers wait as long as the load takes).
   */
  loadTimeout?: Duration | false;
  /**
   * Fail-safe for definitions that set none: the last good value is kept for `maxAge` in all and
   * answers when a load fails or times out; the origin is retried once per `throttle` per key.
   * `maxAge` must be longer than `defaultTtl`. Default: off. See docs/fail-safe.md.
   */
  failSafe?: FailSafeOptions | false;
  /** Load timeouts (`soft`, `hard`, `background`) for definitions that set none; `hard` is `loadTimeout`. Default: off. */
  timeout?: LoadTimeoutOptions | false;
  /**
   * While the store is unavailable (breaker open, failures, timeouts), results are kept in a small
   * in-process LRU of `maxEntries` for at most `staleness` and loads stay single-flight per key, so
   * a Redis outage does not become a database outage. Instances may disagree by up to `staleness`
   * meanwhile; evictions made here apply to it at once. Default: { maxEntries: 1000, staleness: '5s' };
   * false: off (every call during an outage goes to the origin).
   */
  outageFallback?: false | { maxEntries?: number; staleness?: Duration };
  /** At shutdown, how long running background refreshes are awaited before being abandoned. Default: '5s'. */
  shutdownTimeout?: Duration;
  /**
   * In-process tier in front of Redis for the hottest keys, kept coherent across instances by a
   * Redis pub/sub bus. Values in it are deeply frozen. Default: off; when set, maxEntries 10000, ttl '5s'.
   */
  l1?: { maxEntries?: number; maxBytes?: number; ttl?: Duration };
  /**
   * Opt-in stats beacon for operators: every `interval` this instance writes its stats snapshot to
   * Redis (`{namespace:~beacon:instance}`, expiring after three intervals), read by `npx cachekit
   * stats`. Default: off; `true`: interval '5s', instance `<host>-<pid>`.
   */
  statsBeacon?: boolean | { interval?: Duration; instance?: string };
  /**
   * Staleness audit for every definition that sets no `audit` of its own: a sample of hits is
   * re-checked against the method in the background. Default: off.
   * @example audit: { sampleRate: 0.01, maxPerSecond: 5 }
   */
  audit?: AuditOptions;
  /** The sliding window of `CacheKit.report()`: its length and the step it moves by. Default: { window: '10m', step: '1m' }. */
  report?: { window?: Duration; step?: Duration };
  /**
   * Time one lookup in this many per cache name for the latency histograms (1: every lookup). A
   * clock read costs 20 ns on most machines but 0.5 µs on some VMs, as much as an L1 hit; counters
   * stay exact either way, and every load is timed. Default: 16 (an L1 hit then pays about 5%).
   */
  latencySampling?: number;
  /**
   * Multi-tenancy: the current scope (a tenant id), read on every call, for example from an
   * AsyncLocalStorage or nestjs-cls. It becomes part of every key, tag and eviction of the
   * definitions (all but those with `scope: false`): one scope never reads, evicts or sees another's
   * entries. Outside any scope (undefined) reads and writes run uncached and evictions reach every
   * scope. Default: none (no scoping). See docs/multi-tenancy.md.
   * @example scope: () => tenantStorage.getStore()?.tenantId
   */
  scope?: () => string | undefined;
  /**
   * Per-request memoization: within one request (started by the `CacheKitRequestMemo` middleware or
   * `CacheKit.withRequestMemo`), repeated cached calls with the same key return the first result
   * (a copy) without a store round trip; an eviction made in the request clears it. Default: false.
   */
  requestMemo?: boolean;
}

/** Options after validation, with every default applied. */
export interface ResolvedCacheKitOptions {
  redis?: RedisConnection;
  namespace: string;
  defaultTtlMs: number;
  jitter: number;
  operationTimeoutMs: number;
  maxInFlight: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  maxValueBytes: number;
  serializer: CacheSerializer;
  /** Compress values of at least this many bytes; undefined: off. */
  compressMinBytes?: number;
  memoryMaxEntries: number;
  singleFlight?: { waitMs: number; leaseMs: number };
  /** Undefined: off. */
  loadTimeoutMs?: number;
  failSafe?: FailSafeSettings;
  /** Soft timeout and background flag; the hard one is `loadTimeoutMs`. */
  timeout?: TimeoutSettings;
  /** Undefined: off. */
  outageFallback?: { maxEntries: number; stalenessMs: number };
  shutdownTimeoutMs: number;
  evictionRetry: { initialDelayMs: number; maxDelayMs: number; maxTargets: number };
  l1?: { maxEntries: number; maxBytes?: number; ttlMs: number };
  /** Undefined: off. */
  statsBeacon?: { intervalMs: number; instance: string };
  audit?: AuditSettings;
  report: { windowMs: number; stepMs: number };
  latencySampling: number;
  /** Per-request memoization on. */
  requestMemo: boolean;
  /** The current scope (tenant); undefined: no scoping. */
  scope?: () => string | undefined;
  /** What resolution noticed that is allowed but likely wrong; the module logs each once at boot. */
  warnings: readonly string[];
}
