/** Sort orders of the product list; a leading '-' means descending. */
export const PRODUCT_SORTS = ['name', 'price', '-price', '-updatedAt'] as const;

/** One of PRODUCT_SORTS. */
export type ProductSort = (typeof PRODUCT_SORTS)[number];

/** Products per page of the list. */
export const PAGE_SIZE = 10;

/**
 * The deepest page served: 100,000 products. Deeper pages would make the database skip rows it
 * still has to read, and every page number is a cache entry of its own; past it, filter by category.
 */
export const MAX_PAGE = 10_000;

/**
 * What the product list depends on. The object a caller passes may carry more (the controller
 * hands over the whole validated query string, tracking params included).
 */
export interface ListQuery {
  category?: number;
  sort: ProductSort;
  page: number;
}

/** One page of the product list. */
export interface ProductPage<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}
