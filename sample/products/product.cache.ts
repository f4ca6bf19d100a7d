import { defineCache, pick } from '../../lib/index.js';
import { ListQuery } from './list-query.js';

/**
 * One product by id. Unknown ids are cached too, briefly (`cacheNull`), so a client probing
 * missing ids does not reach the database on every request.
 */
export const productById = defineCache({
  name: 'product',
  key: (id: number) => id,
  ttl: '10m',
  cacheNull: '30s',
});

/**
 * One page of the product list. The key holds only what changes the result: the query object
 * also carries tracking params (utm_*), which would otherwise split one page into many entries.
 */
export const productList = defineCache({
  name: 'products.list',
  key: (q: ListQuery) => pick(q, ['category', 'sort', 'page']),
  ttl: '2m',
});
