/** Why entries left the cache: who asked for the eviction. */
export type EvictionCause = 'key' | 'tag' | 'name' | 'orm';

/** Confirmed evictions of one cache name by cause (tags under the '~tags' name). */
export interface EvictionCounts {
  /** Entries evicted by key (@CacheEvict, CacheKit.evict, a failed put's retry). */
  key: number;
  /** Whole-cache clears. */
  name: number;
  /** Tags invalidated (counted under '~tags', since a tag spans names). */
  tag: number;
  /** Of the above, what the ORM bridge asked for (keys, or tags under '~tags'). */
  orm: number;
}

/** Zeroed counts. */
export function noEvictions(): EvictionCounts {
  return { key: 0, name: 0, tag: 0, orm: 0 };
}
