// Attribute names on every span and on the caller's span: one place, so dashboards can rely on them.
export const ATTR = {
  name: 'cache.name',
  outcome: 'cache.outcome',
  keyHash: 'cache.key_hash',
  store: 'cache.store',
  durationMs: 'cache.duration_ms',
  hit: 'cache.hit',
  stale: 'cache.stale',
  keys: 'cache.evicted_keys',
  tags: 'cache.evicted_tags',
  attempts: 'cache.attempts',
  dataSource: 'cache.data_source',
} as const;

/** Span names. */
export const SPAN = {
  miss: 'cache.miss',
  load: 'cache.load',
  refresh: 'cache.refresh',
  evict: 'cache.evict',
  postCommit: 'cache.post_commit_evict',
  hit: 'cache.hit',
} as const;
