import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { ListQuery, PRODUCT_SORTS, type ProductSort } from '../list-query.js';

/**
 * Query string of `GET /products`. Marketing links append utm_* params; they are accepted (the
 * global pipe rejects unknown params) but do not change the result, nor the cache key.
 */
export class ListProductsQueryDto implements ListQuery {
  @IsOptional()
  @Min(1)
  @IsInt()
  @Type(() => Number)
  category?: number;

  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sort: ProductSort = 'name';

  // A default, so `/products` and `/products?page=1` share one cache entry.
  @IsOptional()
  @Min(1)
  @IsInt()
  @Type(() => Number)
  page: number = 1;

  @IsOptional() @IsString() utm_source?: string;
  @IsOptional() @IsString() utm_medium?: string;
  @IsOptional() @IsString() utm_campaign?: string;
  @IsOptional() @IsString() utm_term?: string;
  @IsOptional() @IsString() utm_content?: string;
}
