import { CacheDefinition, CacheDefinitionOptions, toDefinition } from '../definitions/cache-definition.js';
import { CacheMethodDecorator } from './cache-operation.js';
import { addOperation } from './method-wrapper.js';

/** Options of @CacheEvict. */
export interface CacheEvictOptions<A extends unknown[]> {
  /** Evict every entry of the cache, not only this call's key. Default: false. */
  allEntries?: boolean;
  /** Evict before the method runs (and even if it throws). Default: false, after it resolves. */
  beforeInvocation?: boolean;
  /** Evict only when this returns true. Default: always. */
  condition?: (...args: A) => boolean;
}

/**
 * Evicts the entry built from the method's arguments (or every entry of the cache) after the
 * method resolves; a method that throws evicts nothing unless `beforeInvocation` is set.
 * @example @CacheEvict(productById) remove(id: number): Promise<void> { ... }
 */
export function CacheEvict<A extends unknown[], R>(
  definition: CacheDefinition<A, R> | CacheDefinitionOptions<A, R>,
  options: CacheEvictOptions<A> = {},
): CacheMethodDecorator<A> {
  const resolved = toDefinition(definition) as CacheDefinition;
  return (target, propertyKey, descriptor) =>
    addOperation('CacheEvict', target, propertyKey, descriptor, {
      kind: 'evict',
      definition: resolved,
      allEntries: options.allEntries === true,
      beforeInvocation: options.beforeInvocation === true,
      condition: options.condition as ((...args: unknown[]) => boolean) | undefined,
    });
}
