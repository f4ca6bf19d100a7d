import {
  CacheDefinition,
  CacheDefinitionOptions,
  isCacheDefinition,
  toDefinition,
} from '../definitions/cache-definition.js';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { optionNames, rejectUnknownOptions } from '../definitions/known-options.js';
import { CacheEvictOperation } from '../definitions/cache-operation.interface.js';
import { CacheMethodDecorator } from './cache-method-decorator.interface.js';
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

const EVICT_OPTIONS = optionNames<CacheEvictOptions<unknown[]>>({
  tags: true,
  allEntries: true,
  beforeInvocation: true,
  condition: true,
});

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
  return (target, propertyKey, descriptor) =>
    addOperation('CacheEvict', target, propertyKey, descriptor, (where) => evictOperation(first, second, where));
}

function evictOperation(
  first: CacheDefinition | CacheDefinitionOptions | CacheEvictOptions<unknown[]>,
  second: CacheEvictOptions<unknown[]>,
  where: string,
): CacheEvictOperation {
  if (!first || typeof first !== 'object') throw new CacheDefinitionError(messages.evictNeedsTarget(where));
  // Without a definition or a name, the first argument is the evict options ({ tags }).
  const tagsOnly = !isCacheDefinition(first) && !('name' in first);
  const definition = tagsOnly ? undefined : toDefinition(first as CacheDefinitionOptions, where);
  const options = (tagsOnly ? first : second) as CacheEvictOptions<unknown[]>;
  if (!options || typeof options !== 'object') {
    throw new CacheDefinitionError(messages.notAnObject(`${where}: its options`, EVICT_OPTIONS, options));
  }
  rejectUnknownOptions(options, EVICT_OPTIONS, where, CacheDefinitionError);
  for (const fn of ['tags', 'condition'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') {
      throw new CacheDefinitionError(messages.invalidFunction(`${where}: option '${fn}'`, options[fn]));
    }
  }
  for (const flag of ['allEntries', 'beforeInvocation'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new CacheDefinitionError(messages.invalidBoolean(`${where}: option '${flag}'`, options[flag]));
    }
  }
  if (!definition && !options.tags) throw new CacheDefinitionError(messages.evictNeedsTarget(where));
  return {
    kind: 'evict',
    definition,
    tags: options.tags,
    allEntries: options.allEntries === true,
    beforeInvocation: options.beforeInvocation === true,
    condition: options.condition,
  };
}
