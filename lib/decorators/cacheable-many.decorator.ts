import { CacheDefinition, isCacheDefinition } from '../definitions/cache-definition.js';
import { optionNames, rejectUnknownOptions } from '../definitions/known-options.js';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { addOperation } from './method-wrapper.js';

/** Options of @CacheableMany. */
export interface CacheableManyOptions<I, V> {
  /**
   * The id of a value, for a method that returns an array (in any order, missing ids left out);
   * the decorated method then returns an array too, in the order of the ids asked for. Default:
   * none, the method returns a `Map` of id to value (and so does the decorated method).
   * @example idOf: (product) => product.id
   */
  idOf?: (value: V) => I;
}

const KNOWN = optionNames<CacheableManyOptions<unknown, unknown>>({ idOf: true });

/** A method taking a list of ids first. */
type BatchMethod = (ids: any[], ...rest: any[]) => Promise<unknown>;

/**
 * Compile-time check of a batch method against a single-id definition: its first parameter takes
 * exactly a list of the definition's ids, and it resolves to a Map of id to value (or, with
 * `idOf`, an array of values).
 */
export type BatchFits<M extends BatchMethod, I, R, ReturnsArray extends boolean> = I[] extends Parameters<M>[0]
  ? Parameters<M>[0] extends readonly I[]
    ? Awaited<ReturnType<M>> extends (
        ReturnsArray extends true ? readonly NonNullable<R>[] : ReadonlyMap<I, NonNullable<R>>
      )
      ? unknown
      : { 'the method must resolve to': ReturnsArray extends true ? 'an array of values' : 'a Map of id to value' }
    : { 'the first parameter must be a list of the definition ids': I[] }
  : { 'the first parameter must be a list of the definition ids': I[] };

/** The decorator @CacheableMany returns: generic over the method so any matching method fits. */
export type CacheableManyDecorator<I, R, ReturnsArray extends boolean> = <M extends BatchMethod>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M> & BatchFits<M, I, R, ReturnsArray>,
) => void;

/**
 * Batched cache-aside for a method taking a list of ids: each id is served from the entry the
 * single-id definition (the one `@Cacheable` uses on `findOne(id)`) names, so both share entries,
 * tags and evictions. Hits are read in one round trip; the method is called once, with the
 * missing ids only (each once, in place of the first argument, the other arguments unchanged).
 * @example @CacheableMany(productById) findByIds(ids: number[]): Promise<Map<number, Product>> { ... }
 */
export function CacheableMany<I, R>(definition: CacheDefinition<[I], R>): CacheableManyDecorator<I, R, false>;
export function CacheableMany<I, R, V extends NonNullable<R>>(
  definition: CacheDefinition<[I], R>,
  options: CacheableManyOptions<I, V> & { idOf: (value: V) => I },
): CacheableManyDecorator<I, V, true>;
export function CacheableMany<I, R>(
  definition: CacheDefinition<[I], R>,
  options: CacheableManyOptions<I, unknown> = {},
): CacheableManyDecorator<I, unknown, boolean> {
  return (target, propertyKey, descriptor) =>
    addOperation('CacheableMany', target, propertyKey, descriptor, (where) => {
      if (!isCacheDefinition(definition)) throw new CacheDefinitionError(messages.batchNeedsDefinition(where));
      if (!options || typeof options !== 'object')
        throw new CacheDefinitionError(messages.needsOptions(where, options));
      rejectUnknownOptions(options, KNOWN, where, CacheDefinitionError);
      if (options.idOf !== undefined && typeof options.idOf !== 'function') {
        throw new CacheDefinitionError(messages.invalidFunction(`${where}: option 'idOf'`, options.idOf));
      }
      return { kind: 'batch', definition: definition as CacheDefinition<[unknown]>, idOf: options.idOf };
    });
}
