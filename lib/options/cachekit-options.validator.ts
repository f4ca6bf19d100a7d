import { Cluster, Redis } from 'ioredis';
import { TIMER_LIMIT, parseDuration, parseJitter } from '../definitions/duration.js';
import { checkMaxAge, parseFailSafe, parseTimeout } from '../definitions/fail-safe-settings.js';
import { optionNames, rejectUnknownNested, rejectUnknownOptions } from '../definitions/known-options.js';
import { isCacheName, isValidNamespace } from '../keys/key-layout.js';
import { defaultInstanceName } from '../observability/stats-beacon.js';
import { SUGGESTED_MAX_IN_FLIGHT } from '../engine/store-guard/admission-gate.js';
import { CacheKitOptionsError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { defaultSerializer } from '../serialization/default.serializer.js';
import { parseAudit } from '../definitions/audit-settings.js';
import { CacheKitModuleOptions, ResolvedCacheKitOptions } from './cachekit-options.interface.js';

const KNOWN = optionNames<CacheKitModuleOptions>({
  redis: true,
  namespace: true,
  defaultTtl: true,
  jitter: true,
  operationTimeout: true,
  maxInFlight: true,
  breaker: true,
  maxValueBytes: true,
  serializer: true,
  compression: true,
  memory: true,
  singleFlight: true,
  loadTimeout: true,
  failSafe: true,
  timeout: true,
  outageFallback: true,
  shutdownTimeout: true,
  evictionRetry: true,
  l1: true,
  statsBeacon: true,
  audit: true,
  report: true,
  latencySampling: true,
  scope: true,
  requestMemo: true,
});
type Nested<K extends keyof CacheKitModuleOptions> = Exclude<CacheKitModuleOptions[K], false | undefined>;
const NESTED: {
  [
    K in
      | 'breaker'
      | 'compression'
      | 'memory'
      | 'singleFlight'
      | 'evictionRetry'
      | 'l1'
      | 'statsBeacon'
      | 'outageFallback'
      | 'report'
  ]: readonly string[];
} = {
  breaker: optionNames<Nested<'breaker'>>({ failures: true, cooldown: true }),
  compression: optionNames<Nested<'compression'>>({ minBytes: true }),
  memory: optionNames<Nested<'memory'>>({ maxEntries: true }),
  singleFlight: optionNames<Nested<'singleFlight'>>({ wait: true, lease: true }),
  evictionRetry: optionNames<Nested<'evictionRetry'>>({ initialDelay: true, maxDelay: true, maxPending: true }),
  l1: optionNames<Nested<'l1'>>({ maxEntries: true, maxBytes: true, ttl: true }),
  statsBeacon: optionNames<Exclude<Nested<'statsBeacon'>, true>>({ interval: true, instance: true }),
  outageFallback: optionNames<Nested<'outageFallback'>>({ maxEntries: true, staleness: true }),
  report: optionNames<Nested<'report'>>({ window: true, step: true }),
};
const DEFAULT_NAMESPACE = 'cache';

/** Checks every option at boot and applies defaults; errors name the option and the accepted forms. */
export function resolveOptions(options: CacheKitModuleOptions = {}): ResolvedCacheKitOptions {
  const where = 'CacheKitModule options';
  // isGlobal is ConfigurableModuleBuilder's own extra, handled by Nest.
  rejectUnknownOptions(options, KNOWN, where, CacheKitOptionsError, '', ['isGlobal']);
  for (const [name, known] of Object.entries(NESTED)) {
    const value = options[name as keyof typeof NESTED];
    // false turns compression and singleFlight off; true turns the stats beacon on with its defaults.
    if (value !== undefined && value !== false && value !== true)
      rejectUnknownNested(value, known, where, name, CacheKitOptionsError);
  }
  // Only a namespace left out gets the default: null is a mistake, not a request for it.
  const namespace = options.namespace === undefined ? DEFAULT_NAMESPACE : options.namespace;
  if (!isValidNamespace(namespace)) {
    throw new CacheKitOptionsError(messages.invalidNamespace(`Option 'namespace'`, namespace));
  }
  if (options.redis !== undefined && !isRedisConnection(options.redis)) {
    throw new CacheKitOptionsError(messages.invalidRedis(options.redis));
  }
  const serializer = options.serializer ?? defaultSerializer;
  if (typeof serializer?.encode !== 'function' || typeof serializer?.decode !== 'function') {
    throw new CacheKitOptionsError(messages.invalidSerializer());
  }
  const defaultTtlMs = parseDuration(options.defaultTtl ?? '5m', `Option 'defaultTtl'`);
  const timeout = parseTimeout(options.timeout, where, CacheKitOptionsError) || undefined;
  if (timeout?.hardMs !== undefined && options.loadTimeout !== undefined && options.loadTimeout !== false) {
    throw new CacheKitOptionsError(messages.loadTimeoutTwice(where));
  }
  const failSafe = parseFailSafe(options.failSafe, where, undefined, CacheKitOptionsError) || undefined;
  // Definitions with a ttl of their own are checked against it when first planned.
  if (failSafe) checkMaxAge(failSafe, defaultTtlMs, `${where} (against 'defaultTtl')`, CacheKitOptionsError);
  const fallback = options.outageFallback;
  return {
    redis: options.redis,
    namespace,
    defaultTtlMs,
    jitter: parseJitter(options.jitter ?? 0.1, `Option 'jitter'`),
    operationTimeoutMs: parseDuration(options.operationTimeout ?? 100, `Option 'operationTimeout'`, TIMER_LIMIT),
    // No bound unless asked for: queueing a burst stores all of it but makes its callers wait.
    maxInFlight:
      options.maxInFlight === undefined
        ? Infinity
        : positiveInt(
            options.maxInFlight,
            `Option 'maxInFlight' (store calls in flight at once; e.g. ${SUGGESTED_MAX_IN_FLIGHT}, or leave it out for no bound)`,
          ),
    breakerFailures: positiveInt(options.breaker?.failures ?? 5, `Option 'breaker.failures'`),
    breakerCooldownMs: parseDuration(options.breaker?.cooldown ?? '5s', `Option 'breaker.cooldown'`, TIMER_LIMIT),
    maxValueBytes: positiveInt(options.maxValueBytes ?? 1024 * 1024, `Option 'maxValueBytes'`),
    serializer,
    compressMinBytes: options.compression
      ? positiveInt(options.compression.minBytes ?? 16 * 1024, `Option 'compression.minBytes'`)
      : undefined,
    memoryMaxEntries: positiveInt(options.memory?.maxEntries ?? 10_000, `Option 'memory.maxEntries'`),
    singleFlight:
      options.singleFlight === false
        ? undefined
        : {
            waitMs: parseDuration(options.singleFlight?.wait ?? '5s', `Option 'singleFlight.wait'`, TIMER_LIMIT),
            leaseMs: parseDuration(options.singleFlight?.lease ?? '10s', `Option 'singleFlight.lease'`, TIMER_LIMIT),
          },
    loadTimeoutMs:
      timeout?.hardMs ??
      (options.loadTimeout === undefined || options.loadTimeout === false
        ? undefined
        : parseDuration(options.loadTimeout, `Option 'loadTimeout'`, TIMER_LIMIT)),
    failSafe,
    timeout,
    outageFallback:
      fallback === false
        ? undefined
        : {
            maxEntries: positiveInt(fallback?.maxEntries ?? 1_000, `Option 'outageFallback.maxEntries'`),
            stalenessMs: parseDuration(fallback?.staleness ?? '5s', `Option 'outageFallback.staleness'`, TIMER_LIMIT),
          },
    shutdownTimeoutMs: parseDuration(options.shutdownTimeout ?? '5s', `Option 'shutdownTimeout'`, TIMER_LIMIT),
    evictionRetry: {
      initialDelayMs: parseDuration(
        options.evictionRetry?.initialDelay ?? '100ms',
        `Option 'evictionRetry.initialDelay'`,
        TIMER_LIMIT,
      ),
      maxDelayMs: parseDuration(
        options.evictionRetry?.maxDelay ?? '5s',
        `Option 'evictionRetry.maxDelay'`,
        TIMER_LIMIT,
      ),
      maxTargets: positiveInt(options.evictionRetry?.maxPending ?? 100_000, `Option 'evictionRetry.maxPending'`),
    },
    l1: options.l1 && {
      maxEntries: positiveInt(options.l1.maxEntries ?? 10_000, `Option 'l1.maxEntries'`),
      maxBytes:
        options.l1.maxBytes === undefined ? undefined : positiveInt(options.l1.maxBytes, `Option 'l1.maxBytes'`),
      ttlMs: parseDuration(options.l1.ttl ?? '5s', `Option 'l1.ttl'`),
    },
    statsBeacon: resolveBeacon(options.statsBeacon),
    audit: options.audit === undefined ? undefined : parseAudit(options.audit, where, CacheKitOptionsError),
    report: resolveReport(options.report),
    latencySampling: positiveInt(options.latencySampling ?? 16, `Option 'latencySampling'`),
    scope: scopeFunction(options.scope),
    requestMemo: booleanOption(options.requestMemo, `Option 'requestMemo'`),
    // Two apps on one Redis that both keep the default read, overwrite and evict each other's
    // entries; in memory, every app has its own store.
    warnings:
      options.namespace === undefined && options.redis !== undefined
        ? [messages.defaultNamespaceShared(DEFAULT_NAMESPACE)]
        : [],
  };
}

function resolveBeacon(beacon: CacheKitModuleOptions['statsBeacon']): ResolvedCacheKitOptions['statsBeacon'] {
  if (beacon === undefined || beacon === false) return undefined;
  const settings = beacon === true ? {} : beacon;
  const instance = settings.instance ?? defaultInstanceName();
  // The name becomes part of a key: the cache-name rule keeps globs and braces out of it.
  if (!isCacheName(instance)) throw new CacheKitOptionsError(messages.invalidBeaconInstance(instance));
  return {
    intervalMs: parseDuration(settings.interval ?? '5s', `Option 'statsBeacon.interval'`, TIMER_LIMIT),
    instance,
  };
}

function resolveReport(report: CacheKitModuleOptions['report']): ResolvedCacheKitOptions['report'] {
  const windowMs = parseDuration(report?.window ?? '10m', `Option 'report.window'`);
  const stepMs = parseDuration(report?.step ?? '1m', `Option 'report.step'`, TIMER_LIMIT);
  // A snapshot per step is kept for the whole window: bound their number.
  if (stepMs > windowMs || windowMs / stepMs > 1_440)
    throw new CacheKitOptionsError(messages.invalidReportWindow(windowMs, stepMs));
  return { windowMs, stepMs };
}

function booleanOption(value: unknown, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new CacheKitOptionsError(messages.invalidBoolean(where, value));
  return value;
}

function scopeFunction(value: unknown): (() => string | undefined) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new CacheKitOptionsError(messages.invalidFunction(`Option 'scope'`, value));
  return value as () => string | undefined;
}

function positiveInt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new CacheKitOptionsError(messages.invalidPositiveInt(where, value));
  }
  return value;
}

function isRedisConnection(value: unknown): boolean {
  if (typeof value === 'string') return /^rediss?:\/\//.test(value);
  if (value instanceof Redis || value instanceof Cluster) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if ('cluster' in value) return Array.isArray((value as { cluster: unknown }).cluster);
  return true;
}
