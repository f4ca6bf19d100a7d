import { IsIn, IsOptional, IsString } from 'class-validator';
import { MAX_ID, PositiveIntegerParam } from '../../input/positive-integer.js';
import { ListQuery, MAX_PAGE, PRODUCT_SORTS, type ProductSort } from '../list-query.js';

/**
 * Query string of `GET /products`. Numbers are read in plain decimal digits only (`page=0x2` or
 * `page=1e1` is a 400, not page 2 or 10). Marketing links append utm_* params; they are accepted
 * (the global pipe rejects unknown params) but do not change the result, nor the cache key.
 */
export class ListProductsQueryDto implements ListQuery {
  @IsOptional()
  @PositiveIntegerParam(MAX_ID)
  category?: number;

  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sort: ProductSort = 'name';

  // A default, so `/products` and `/products?page=1` share one cache entry.
  @IsOptional()
  @PositiveIntegerParam(MAX_PAGE)
  page: number = 1;

  @IsOptional() @IsString() utm_source?: string;
  @IsOptional() @IsString() utm_medium?: string;
  @IsOptional() @IsString() utm_campaign?: string;
  @IsOptional() @IsString() utm_term?: string;
  @IsOptional() @IsString() utm_content?: string;
}
