import { cacheEntry, invalidate } from '../../lib/typeorm/index.js';
import { categoryStats } from '../categories/category-stats.cache.js';
import { CATALOGUE_TAG, categoryTag, productTag } from './product.cache.js';
import { Product } from './product.entity.js';

/**
 * What a committed change of a Product makes stale, declared once: the bridge
 * (CacheKitTypeOrmModule) evicts it right after the transaction commits, and evicts nothing when
 * it rolls back. `before` is the row as it was, `after` as it is now: a product moving from
 * category 1 to 2 evicts the lists and statistics of both (the bridge removes duplicates).
 */
export const productChanges = invalidate(
  Product,
  ({ row, before, after }) => [
    productTag(row.id), // the product entry, "not found" entries included
    categoryTag('all'), // the unfiltered list
    before && categoryTag(before.categoryId),
    after && categoryTag(after.categoryId),
    before && cacheEntry(categoryStats, before.categoryId),
    after && cacheEntry(categoryStats, after.categoryId),
  ],
  // repository.update()/delete() and QueryBuilder writes do not say which rows they changed.
  { bulk: () => [CATALOGUE_TAG] },
);
