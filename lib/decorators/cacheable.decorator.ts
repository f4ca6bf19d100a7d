import { CacheDefinition, CacheDefinitionOptions, toDefinition } from '../definitions/cache-definition.js';
import { CacheMethodDecorator } from './cache-method-decorator.interface.js';
import { addOperation } from './method-wrapper.js';

/**
 * Cache-aside on a method: a hit returns the stored value, a miss runs the method once (even for
 * many concurrent callers) and stores its result.
 * @example @Cacheable(productById) findOne(id: number): Promise<Product | null> { ... }
 */
export function Cacheable<A extends unknown[], R>(
  definition: CacheDefinition<A, R> | CacheDefinitionOptions<A, R>,
): CacheMethodDecorator<A> {
  return (target, propertyKey, descriptor) =>
    addOperation('Cacheable', target, propertyKey, descriptor, (where) => ({
      kind: 'cacheable',
      definition: toDefinition(definition, where) as CacheDefinition,
    }));
}
