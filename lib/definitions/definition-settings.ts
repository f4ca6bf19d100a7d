import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { TIMER_LIMIT, parseDuration } from './duration.js';
import { optionNames, rejectUnknownNested } from './known-options.js';
import type { CacheDefinitionOptions, SwrSettings } from './cache-definition-options.interface.js';

type Nested<K extends 'swr' | 'earlyRefresh' | 'singleFlight'> = Exclude<CacheDefinitionOptions[K], false | undefined>;

const SWR_OPTIONS = optionNames<Nested<'swr'>>({ fresh: true, stale: true, refreshTimeout: true });
const EARLY_REFRESH_OPTIONS = optionNames<Nested<'earlyRefresh'>>({ beta: true });
const SINGLE_FLIGHT_OPTIONS = optionNames<Nested<'singleFlight'>>({ wait: true, lease: true });

/**
 * The stale-while-revalidate windows of a definition. `path` is how the windows are named in
 * errors: `'swr.'` for defineCache, `''` for @StaleWhileRevalidate, which takes them top level.
 */
export function parseSwr(options: CacheDefinitionOptions<any, any>, where: string, path = 'swr.'): SwrSettings {
  if (options.ttl !== undefined) throw new CacheDefinitionError(messages.ttlWithSwr(where));
  rejectUnknownNested(options.swr, SWR_OPTIONS, where, 'swr', CacheDefinitionError);
  const swr = options.swr!;
  return {
    freshMs: parseDuration(swr.fresh, `${where}: option '${path}fresh'`),
    staleMs: parseDuration(swr.stale, `${where}: option '${path}stale'`),
    // A timer runs for it: past Node's longest timer it would fire at once.
    refreshTimeoutMs: parseDuration(
      swr.refreshTimeout ?? '10s',
      `${where}: option '${path}refreshTimeout'`,
      TIMER_LIMIT,
    ),
  };
}

/** The XFetch beta of a definition's `earlyRefresh` option (1 when left out). */
export function parseEarlyRefresh(value: unknown, where: string): number {
  rejectUnknownNested(value, EARLY_REFRESH_OPTIONS, where, 'earlyRefresh', CacheDefinitionError);
  const beta = (value as { beta?: unknown }).beta;
  if (beta === undefined) return 1;
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta <= 0) {
    throw new CacheDefinitionError(messages.invalidBeta(`${where}: option 'earlyRefresh.beta'`, beta));
  }
  return beta;
}

/** A definition's `singleFlight` option: false (off), or the module's defaults where a field is left out. */
export function parseSingleFlight(
  value: unknown,
  where: string,
): false | { waitMs?: number; leaseMs?: number } | undefined {
  if (value === undefined || value === false) return value;
  rejectUnknownNested(value, SINGLE_FLIGHT_OPTIONS, where, 'singleFlight', CacheDefinitionError);
  const { wait, lease } = value as Nested<'singleFlight'>;
  return {
    waitMs: wait === undefined ? undefined : parseDuration(wait, `${where}: option 'singleFlight.wait'`, TIMER_LIMIT),
    leaseMs:
      lease === undefined ? undefined : parseDuration(lease, `${where}: option 'singleFlight.lease'`, TIMER_LIMIT),
  };
}
