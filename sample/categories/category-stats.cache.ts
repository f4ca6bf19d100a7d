import { defineCache } from '../../lib/index.js';
import { statsWindowsFromEnv } from '../app.options.js';
import { CATALOGUE_TAG } from '../products/product.cache.js';

/**
 * Statistics of one category, stale-while-revalidate: fresh for 30 s, then served stale at once
 * while one background refresh (one across all instances) recomputes them; after another hour
 * nobody has asked, callers wait for a load again. Product writes evict the entry after COMMIT
 * (see product.invalidation.ts), so the windows only matter for changes the app does not see.
 * Fail-safe: when the aggregate fails (a database that is down; `FAIL_ORIGIN=1` simulates it) after
 * fresh + stale, callers get the last statistics computed within a day instead of an error, and the
 * aggregate is retried at most every 10 s across instances. `maxAge` must exceed fresh + stale.
 */
export const categoryStats = defineCache({
  name: 'category.stats',
  key: (categoryId: number) => categoryId,
  swr: { ...statsWindowsFromEnv(), refreshTimeout: '10s' },
  tags: () => [CATALOGUE_TAG],
  failSafe: { maxAge: '1d', throttle: '10s' },
});
