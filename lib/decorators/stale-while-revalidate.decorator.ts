import {
  CacheDefinition,
  CacheDefinitionOptions,
  isCacheDefinition,
  toDefinition,
} from '../definitions/cache-definition.js';
import { Duration } from '../definitions/duration.js';
import { optionNames, rejectUnknownOptions } from '../definitions/known-options.js';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { CacheMethodDecorator } from './cache-method-decorator.interface.js';
import { addOperation } from './method-wrapper.js';

/** Options of @StaleWhileRevalidate: a definition's options with the two windows spelled out. */
export interface StaleWhileRevalidateOptions<A extends unknown[], R> extends Omit<
  CacheDefinitionOptions<A, R>,
  'ttl' | 'swr'
> {
  /** How long a value is served as fresh. */
  fresh: Duration;
  /** How long after that it is still served (stale) while one background refresh runs. */
  stale: Duration;
  /** A refresh running longer is abandoned (the stale value keeps being served). Default: '10s'. */
  refreshTimeout?: Duration;
}

const SWR_DECORATOR_OPTIONS = optionNames<StaleWhileRevalidateOptions<any[], unknown>>({
  name: true,
  key: true,
  fresh: true,
  stale: true,
  refreshTimeout: true,
  jitter: true,
  cacheNull: true,
  condition: true,
  unless: true,
  tags: true,
  resultTags: true,
  earlyRefresh: true,
  singleFlight: true,
  loadTimeout: true,
  failSafe: true,
  timeout: true,
  audit: true,
  type: true,
  revive: true,
  scope: true,
});

/**
 * Serves a stale value at once while one background refresh (one across all instances) replaces
 * it; past `fresh + stale` callers wait for a load. A failing refresh keeps the stale value served
 * and retries with backoff.
 * @example @StaleWhileRevalidate({ name: 'category.stats', key: (c: string) => c, fresh: '30s', stale: '1h' })
 */
export function StaleWhileRevalidate<A extends unknown[], R>(
  options: StaleWhileRevalidateOptions<A, R> | CacheDefinition<A, R>,
): CacheMethodDecorator<A> {
  return (target, propertyKey, descriptor) =>
    addOperation('StaleWhileRevalidate', target, propertyKey, descriptor, (where) => ({
      kind: 'cacheable',
      definition: swrDefinition(options as StaleWhileRevalidateOptions<unknown[], unknown> | CacheDefinition, where),
    }));
}

function swrDefinition(
  options: StaleWhileRevalidateOptions<unknown[], unknown> | CacheDefinition,
  where: string,
): CacheDefinition {
  if (isCacheDefinition(options)) {
    if (!options.swr) throw new CacheDefinitionError(messages.swrNeedsSwr(options.name));
    return options;
  }
  if (!options || typeof options !== 'object') throw new CacheDefinitionError(messages.needsOptions(where, options));
  rejectUnknownOptions(options, SWR_DECORATOR_OPTIONS, where, CacheDefinitionError);
  const { fresh, stale, refreshTimeout, ...rest } = options;
  const swr = refreshTimeout === undefined ? { fresh, stale } : { fresh, stale, refreshTimeout };
  return toDefinition({ ...rest, swr } as CacheDefinitionOptions, where, { swrPath: '' }) as CacheDefinition;
}
