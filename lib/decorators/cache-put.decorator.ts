import { CacheDefinition, CacheDefinitionOptions, toDefinition } from '../definitions/cache-definition.js';
import { CacheMethodDecorator } from './cache-method-decorator.interface.js';
import { addOperation } from './method-wrapper.js';

/**
 * Always runs the method, then stores its result under the key built from the same arguments,
 * so a write refreshes the entry readers use.
 * @example @CachePut(productById) update(id: number, patch: Patch): Promise<Product> { ... }
 */
export function CachePut<A extends unknown[], R>(
  definition: CacheDefinition<A, R> | CacheDefinitionOptions<A, R>,
): CacheMethodDecorator<A> {
  return (target, propertyKey, descriptor) =>
    addOperation('CachePut', target, propertyKey, descriptor, (where) => ({
      kind: 'put',
      definition: toDefinition(definition, where) as CacheDefinition,
    }));
}
