import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Query } from '@nestjs/common';
import { ParseIdPipe } from '../input/parse-id.pipe.js';
import { CreateProductDto } from './dto/create-product.dto.js';
import { ListProductsQueryDto } from './dto/list-products-query.dto.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import { ProductPage } from './list-query.js';
import { Product } from './product.entity.js';
import { ProductsService } from './products.service.js';
import { ParseIdListPipe } from './parse-id-list.pipe.js';

/** HTTP API of the catalogue's products. */
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  /** `GET /products?category=&sort=&page=`: one page of products. */
  @Get()
  list(@Query() query: ListProductsQueryDto): Promise<ProductPage<Product>> {
    return this.products.list(query);
  }

  /** `GET /products/by-ids?ids=1,2,3`: the products that exist, in the order asked for (one query for the uncached ones). */
  @Get('by-ids')
  async findByIds(@Query('ids', ParseIdListPipe) ids: number[]): Promise<Product[]> {
    return [...(await this.products.findByIds(ids)).values()];
  }

  /** `GET /products/:id`: one product, or 404; 400 for an id that is not one (`0x10`, `-1`). */
  @Get(':id')
  async findOne(@Param('id', ParseIdPipe) id: number): Promise<Product> {
    return orNotFound(id, await this.products.findOne(id));
  }

  /** `POST /products`: adds a product and returns it (201). */
  @Post()
  create(@Body() input: CreateProductDto): Promise<Product> {
    return this.products.create(input);
  }

  /** `PATCH /products/:id`: changes some fields of a product and returns it. */
  @Patch(':id')
  async update(@Param('id', ParseIdPipe) id: number, @Body() patch: UpdateProductDto): Promise<Product> {
    return orNotFound(id, await this.products.update(id, patch));
  }

  /** `DELETE /products/:id`: deletes a product (204), or 404. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    if (!(await this.products.remove(id))) throw new NotFoundException(`Product ${id} not found`);
  }
}

function orNotFound(id: number, product: Product | null): Product {
  if (!product) throw new NotFoundException(`Product ${id} not found`);
  return product;
}
