import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Patch, Query } from '@nestjs/common';
import { ListProductsQueryDto } from './dto/list-products-query.dto.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import { ProductPage } from './list-query.js';
import { Product } from './product.entity.js';
import { ProductsService } from './products.service.js';

/** HTTP API of the catalogue's products. */
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  /** `GET /products?category=&sort=&page=`: one page of products. */
  @Get()
  list(@Query() query: ListProductsQueryDto): Promise<ProductPage<Product>> {
    return this.products.list(query);
  }

  /** `GET /products/:id`: one product, or 404. */
  @Get(':id')
  async findOne(@Param('id', ParseIntPipe) id: number): Promise<Product> {
    return orNotFound(id, await this.products.findOne(id));
  }

  /** `PATCH /products/:id`: changes some fields of a product and returns it. */
  @Patch(':id')
  async update(@Param('id', ParseIntPipe) id: number, @Body() patch: UpdateProductDto): Promise<Product> {
    return orNotFound(id, await this.products.update(id, patch));
  }
}

function orNotFound(id: number, product: Product | null): Product {
  if (!product) throw new NotFoundException(`Product ${id} not found`);
  return product;
}
