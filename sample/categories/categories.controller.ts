import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ParseIdPipe } from '../input/parse-id.pipe.js';
import { CategoriesService } from './categories.service.js';
import { CategoryStats, CategoryStatsService } from './category-stats.service.js';
import { Category } from './category.entity.js';

/** HTTP API of the catalogue's categories. */
@Controller('categories')
export class CategoriesController {
  constructor(
    private readonly categories: CategoriesService,
    private readonly statistics: CategoryStatsService,
  ) {}

  /** `GET /categories`: every category. */
  @Get()
  findAll(): Promise<Category[]> {
    return this.categories.findAll();
  }

  /** `GET /categories/:id/stats`: product count and prices of a category, or 404. */
  @Get(':id/stats')
  async stats(@Param('id', ParseIdPipe) id: number): Promise<CategoryStats> {
    if (!(await this.categories.findOne(id))) throw new NotFoundException(`Category ${id} not found`);
    return this.statistics.forCategory(id);
  }
}
