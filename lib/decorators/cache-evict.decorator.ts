import {
  CacheDefinition,
  CacheDefinitionOptions,
  isCacheDefinition,
  toDefinition,
} from '../definitions/cache-definition.js';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { CacheMethodDecorator } from './cache-operation.js';
import { addOperation } from './method-wrapper.js';

/** Options of @CacheEvict. */
export interface CacheEvictOptions<A extends unknown[]> {
  /** Also invalidate every entry carrying one of these tags. Default: none. */
  tags?: (...args: A) => readonly string[];
  /** Evict every entry of the cache, not only this call's key. Default: false. */
  allEntries?: boolean;
  /** Evict before the method runs (and even if it throws). Default: false, after it resolves. */
  beforeInvocation?: boolean;
  /** Evict only when this returns true. Default: always. */
  condition?: (...args: A) => boolean;
}

/**
 * Evicts after the method resolves (nothing if it throws, unless `beforeInvocation`): the entry
 * built from the method's arguments, every entry of the cache (`allEntries`), and/or every entry
 * carrying the given tags. Loads that began before the eviction never store their result.
 * @example @CacheEvict(productById) remove(id: number): Promise<void> { ... }
 * @example @CacheEvict({ tags: (id: number) => [`product:${id}`] }) update(id: number, patch: Patch) { ... }
 */
export function CacheEvict<A extends unknown[], R>(
  definition: CacheDefinition<A, R> | CacheDefinitionOptions<A, R>,
  options: CacheEvictOptions<any[]> & { allEntries: true },
): CacheMethodDecorator<any[]>; // every entry: the key function is not called, so any method fits
export function CacheEvict<A extends unknown[], R>(
  definition: CacheDefinition<A, R> | CacheDefinitionOptions<A, R>,
  options?: CacheEvictOptions<A>,
): CacheMethodDecorator<A>;
export function CacheEvict<A extends unknown[]>(options: CacheEvictOptions<A>): CacheMethodDecorator<A>;
export function CacheEvict(
  first: CacheDefinition | CacheDefinitionOptions | CacheEvictOptions<unknown[]>,
  second: CacheEvictOptions<unknown[]> = {},
): CacheMethodDecorator<any[]> {
  const tagsOnly = !isCacheDefinition(first) && !('name' in first);
  const definition = tagsOnly ? undefined : toDefinition(first as CacheDefinitionOptions);
  const options = (tagsOnly ? first : second) as CacheEvictOptions<unknown[]>;
  return (target, propertyKey, descriptor) => {
    if (!definition && !options.tags) {
      throw new CacheDefinitionError(messages.evictNeedsTarget(`${target.constructor.name}#${String(propertyKey)}`));
    }
    addOperation('CacheEvict', target, propertyKey, descriptor, {
      kind: 'evict',
      definition,
      tags: options.tags,
      allEntries: options.allEntries === true,
      beforeInvocation: options.beforeInvocation === true,
      condition: options.condition,
    });
  };
}
