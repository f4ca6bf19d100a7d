import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheKitTypeOrmModule } from '../../lib/typeorm/index.js';
import { ProductsController } from './products.controller.js';
import { Product } from './product.entity.js';
import { productChanges } from './product.invalidation.js';
import { ProductsService } from './products.service.js';

/** Products: entity, cached service, HTTP API, and what a committed product change evicts. */
@Module({
  imports: [TypeOrmModule.forFeature([Product]), CacheKitTypeOrmModule.forFeature([productChanges])],
  controllers: [ProductsController],
  providers: [ProductsService],
  exports: [ProductsService],
})
export class ProductsModule {}
