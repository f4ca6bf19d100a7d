import { CacheKitPrometheusError } from './prometheus.errors.js';
import { prometheusMessages } from './prometheus.messages.js';
import type { CacheKitPrometheusModuleOptions } from './prometheus.options.js';

export const DEFAULT_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Lookup buckets start lower: a hit takes well under a millisecond. Each is one of CacheKit's own bounds. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, ...DEFAULT_BUCKETS];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Validates the options (called by forRoot, so a mistake fails where the module is declared). */
export function resolveOptions(options: CacheKitPrometheusModuleOptions): {
  prefix: string;
  buckets: number[];
  latencyBuckets: number[];
} {
  const prefix = options.prefix ?? 'cachekit_';
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_NAME.test(prefix)))
    throw new CacheKitPrometheusError(prometheusMessages.invalidPrefix(prefix));
  return {
    prefix,
    buckets: checkBuckets(options.buckets ?? DEFAULT_BUCKETS, 'buckets'),
    latencyBuckets: checkBuckets(options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS, 'latencyBuckets'),
  };
}

function checkBuckets(buckets: readonly number[], option: string): number[] {
  if (
    !Array.isArray(buckets) ||
    buckets.length === 0 ||
    buckets.some((b, i) => typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))
  )
    throw new CacheKitPrometheusError(prometheusMessages.invalidBuckets(option, buckets));
  return [...buckets];
}
