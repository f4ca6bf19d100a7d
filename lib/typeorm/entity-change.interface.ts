import type { ObjectLiteral } from 'typeorm';
import type { CacheDefinition } from '../definitions/cache-definition.js';

/** What happened to an entity. @example invalidate(Product, ({ kind, row }) => (kind === 'insert' ? ['products:new'] : [`product:${row.id}`])) */
export type EntityChangeKind = 'insert' | 'update' | 'remove' | 'soft-remove' | 'recover';

/**
 * One entity row changed through save(), remove(), softRemove() or recover(), as an invalidation
 * rule sees it.
 * @example ({ kind, before, after }) => [`category:${before?.categoryId}`, `category:${after?.categoryId}`]
 */
export interface EntityChange<E = any> {
  kind: EntityChangeKind;
  /** The entity's name in TypeORM's metadata (the class name unless renamed). */
  entityName: string;
  /** The row as it was in the database (update, remove, soft-remove, recover); undefined for inserts. */
  before?: E;
  /** The row as it is after the change: the saved values over the loaded row; undefined after remove. */
  after?: E;
  /** `after ?? before`: the row, whichever side exists. */
  row: E;
  /** Primary key values, e.g. `{ id: 7 }` (known even after remove()). */
  id: ObjectLiteral;
  /** Property paths of the columns save() changed (update only; empty otherwise). */
  changedColumns: readonly string[];
}

/**
 * Rows changed through a QueryBuilder, repository.update()/delete()/softDelete()/restore(): TypeORM
 * tells which entity, not which rows.
 * @example { bulk: ({ kind }) => ['products:all'] }
 */
export interface BulkChange {
  kind: Exclude<EntityChangeKind, 'insert'>;
  entityName: string;
  /** The SET values of an update (undefined for the others). */
  values?: ObjectLiteral;
}

/**
 * One cache entry, named as its readers name it: a `defineCache` definition and its arguments.
 * @example const entry: CacheEntryRef<[number]> = { definition: productById, args: [7] };
 */
export interface CacheEntryRef<A extends unknown[] = any[]> {
  definition: CacheDefinition<A, any>;
  args: A;
}

/**
 * What a rule returns per change: tags, entries, or falsy values (skipped).
 * @example ['product:7', cacheEntry(productById, 7), before && `category:${before.categoryId}`]
 */
export type EvictionEntry = string | CacheEntryRef | null | undefined | false;

/**
 * Builds a typed entry reference: the arguments are checked against the definition's key function.
 * @example invalidate(Product, ({ row }) => [cacheEntry(productById, row.id)])
 */
export function cacheEntry<A extends unknown[]>(definition: CacheDefinition<A, any>, ...args: A): CacheEntryRef<A> {
  return { definition, args };
}
