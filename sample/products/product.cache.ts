import { defineCache, pick } from '../../lib/index.js';
import { ListQuery } from './list-query.js';

/**
 * Tag of every cached entry derived from products. Nothing in the sample evicts it; it is what
 * the invalidation rule's `bulk` handler evicts when rows change without TypeORM saying which.
 */
export const CATALOGUE_TAG = 'catalogue';

/** Tag of one product's entries: `product:7`. */
export const productTag = (id: number) => `product:${id}`;

/**
 * Tag of the list pages of one category, `category:3`; the unfiltered list is `category:all`
 * (every product change evicts it: any product can be on it).
 */
export const categoryTag = (categoryId: number | 'all') => `category:${categoryId}`;

/**
 * One product by id. Unknown ids are cached too, briefly (`cacheNull`), so a client probing
 * missing ids does not reach the database on every request; the entry is tagged, so creating
 * that product evicts the cached "not found".
 */
export const productById = defineCache({
  name: 'product',
  key: (id: number) => id,
  ttl: '10m',
  cacheNull: '30s',
  tags: (id: number) => [productTag(id), CATALOGUE_TAG],
});

/**
 * One page of the product list. The key holds only what changes the result: the query object
 * also carries tracking params (utm_*), which would otherwise split one page into many entries.
 * Every page of a category carries the category's tag, so one tag eviction drops them all.
 */
export const productList = defineCache({
  name: 'products.list',
  key: (q: ListQuery) => pick(q, ['category', 'sort', 'page']),
  ttl: '2m',
  tags: (q: ListQuery) => [categoryTag(q.category ?? 'all'), CATALOGUE_TAG],
});
