import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Category } from '../categories/category.entity.js';
import { ProductsController } from './products.controller.js';
import { Product } from './product.entity.js';
import { ProductsService } from './products.service.js';

/** Products: entity, cached service and HTTP API. */
@Module({
  imports: [TypeOrmModule.forFeature([Product, Category])],
  controllers: [ProductsController],
  providers: [ProductsService],
  exports: [ProductsService],
})
export class ProductsModule {}
