import {
  CacheDefinition,
  CacheDefinitionOptions,
  isCacheDefinition,
  toDefinition,
} from '../definitions/cache-definition.js';
import { Duration } from '../definitions/duration.js';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { CacheMethodDecorator } from './cache-operation.js';
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

/**
 * Serves a stale value at once while one background refresh (one across all instances) replaces
 * it; past `fresh + stale` callers wait for a load. A failing refresh keeps the stale value served
 * and retries with backoff.
 * @example @StaleWhileRevalidate({ name: 'category.stats', key: (c: string) => c, fresh: '30s', stale: '1h' })
 */
export function StaleWhileRevalidate<A extends unknown[], R>(
  options: StaleWhileRevalidateOptions<A, R> | CacheDefinition<A, R>,
): CacheMethodDecorator<A> {
  let definition: CacheDefinition;
  if (isCacheDefinition(options)) {
    if (!options.swr)
      throw new CacheDefinitionError(
        `@StaleWhileRevalidate needs a definition with an 'swr' option; '${options.name}' has none.`,
      );
    definition = options as CacheDefinition;
  } else {
    const { fresh, stale, refreshTimeout, ...rest } = options as StaleWhileRevalidateOptions<A, R>;
    definition = toDefinition({
      ...rest,
      swr: { fresh, stale, refreshTimeout },
    } as CacheDefinitionOptions) as CacheDefinition;
  }
  return (target, propertyKey, descriptor) =>
    addOperation('StaleWhileRevalidate', target, propertyKey, descriptor, { kind: 'cacheable', definition });
}
