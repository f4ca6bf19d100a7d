import { ProductCategoryId, ProductName, ProductPrice } from './product-fields.js';

/** Body of `POST /products`: every field required, unknown fields rejected by the global pipe. */
export class CreateProductDto {
  @ProductName()
  name!: string;

  @ProductPrice()
  price!: number;

  @ProductCategoryId()
  categoryId!: number;
}
