import type { CacheDefinition } from './cache-definition.js';

// What a cache decorator records on a method at class-definition time, and what call-time code reads.

export interface CacheableOperation {
  kind: 'cacheable';
  definition: CacheDefinition;
}

/** @CacheableMany: a method taking a list of ids, served per id from a single-id definition's entries. */
export interface CacheableManyOperation {
  kind: 'batch';
  definition: CacheDefinition<[unknown]>;
  /** The id of a value the method returned in an array; undefined: the method returns a Map. */
  idOf?: (value: any) => unknown;
}

export interface CachePutOperation {
  kind: 'put';
  definition: CacheDefinition;
}

export interface CacheEvictOperation {
  kind: 'evict';
  /** Evicts this definition's entry for the call's arguments (or all of its entries). */
  definition?: CacheDefinition;
  /** Tags to invalidate, from the call's arguments. */
  tags?: (...args: any[]) => readonly string[];
  allEntries: boolean;
  beforeInvocation: boolean;
  condition?: (...args: any[]) => boolean;
}

export type CacheOperation = CacheableOperation | CacheableManyOperation | CachePutOperation | CacheEvictOperation;

/** What a trampoline knows about the method it stands for. */
export interface DecoratedMethod {
  /** 'ProductService#findOne', for errors and logs. */
  where: string;
  original: (...args: unknown[]) => unknown;
  operations: CacheOperation[];
  returnsObservable: boolean;
}
