import { OptionalNotNull } from '../../input/field-rules.js';
import { ProductCategoryId, ProductName, ProductPrice } from './product-fields.js';

/**
 * Body of `PATCH /products/:id`: every field optional, none nullable (the columns are NOT NULL),
 * unknown fields rejected by the global pipe.
 */
export class UpdateProductDto {
  @OptionalNotNull()
  @ProductName()
  name?: string;

  @OptionalNotNull()
  @ProductPrice()
  price?: number;

  @OptionalNotNull()
  @ProductCategoryId()
  categoryId?: number;
}
