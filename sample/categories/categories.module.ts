import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Product } from '../products/product.entity.js';
import { CategoriesController } from './categories.controller.js';
import { CategoriesService } from './categories.service.js';
import { CategoryStatsService } from './category-stats.service.js';
import { Category } from './category.entity.js';
import { StatsOriginSwitch } from './stats-origin.switch.js';

/** Categories: entity, cached services (list and statistics) and HTTP API. */
@Module({
  imports: [TypeOrmModule.forFeature([Category, Product])],
  controllers: [CategoriesController],
  providers: [CategoriesService, CategoryStatsService, StatsOriginSwitch],
})
export class CategoriesModule {}
