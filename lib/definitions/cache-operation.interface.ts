import type { CacheDefinition } from './cache-definition.js';

// What a cache decorator records on a method at class-definition time, and what call-time code reads.

export interface CacheableOperation {
  kind: 'cacheable';
  definition: CacheDefinition;
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

export type CacheOperation = CacheableOperation | CachePutOperation | CacheEvictOperation;

/** What a trampoline knows about the method it stands for. */
export interface DecoratedMethod {
  /** 'ProductService#findOne', for errors and logs. */
  where: string;
  original: (...args: unknown[]) => unknown;
  operations: CacheOperation[];
  returnsObservable: boolean;
}
