import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { Duration } from '../definitions/duration.js';
import { CacheSerializer } from '../serialization/serializer.interface.js';

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
  /** Deadline of every store operation; past it the call is served from the origin. Default: 100 (ms). */
  operationTimeout?: Duration;
  /** Consecutive store failures that open the breaker, and how long it stays open. Default: { failures: 5, cooldown: '5s' }. */
  breaker?: { failures?: number; cooldown?: Duration };
  /** Largest serialized value stored; larger ones are returned but not cached. Default: 1 MiB. */
  maxValueBytes?: number;
  /** How values become bytes. Default: v8Serializer (Date, Map, Set, BigInt, undefined, NaN, -0). */
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
  /** At shutdown, how long running background refreshes are awaited before being abandoned. Default: '5s'. */
  shutdownTimeout?: Duration;
  /**
   * In-process tier in front of Redis for the hottest keys, kept coherent across instances by a
   * Redis pub/sub bus. Values in it are deeply frozen. Default: off; when set, maxEntries 10000, ttl '5s'.
   */
  l1?: { maxEntries?: number; maxBytes?: number; ttl?: Duration };
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
  shutdownTimeoutMs: number;
  evictionRetry: { initialDelayMs: number; maxDelayMs: number; maxTargets: number };
  l1?: { maxEntries: number; maxBytes?: number; ttlMs: number };
  /** Per-request memoization on. */
  requestMemo: boolean;
  /** The current scope (tenant); undefined: no scoping. */
  scope?: () => string | undefined;
  /** What resolution noticed that is allowed but likely wrong; the module logs each once at boot. */
  warnings: readonly string[];
}
