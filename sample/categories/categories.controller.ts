import { Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ParseIdPipe } from '../input/parse-id.pipe.js';
import { CategoriesService } from './categories.service.js';
import { CategoryStats, CategoryStatsService } from './category-stats.service.js';
import { Category } from './category.entity.js';
import { StatsOriginSwitch } from './stats-origin.switch.js';

/** HTTP API of the catalogue's categories. */
@Controller('categories')
export class CategoriesController {
  constructor(
    private readonly categories: CategoriesService,
    private readonly statistics: CategoryStatsService,
    private readonly origin: StatsOriginSwitch,
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

  /** `POST /categories/stats/origin/fail`: the statistics aggregate fails from now on (fail-safe answers). */
  @Post('stats/origin/fail')
  @HttpCode(200)
  failOrigin(): { failing: boolean } {
    this.origin.set(true);
    return { failing: true };
  }

  /** `POST /categories/stats/origin/recover`: the aggregate works again. */
  @Post('stats/origin/recover')
  @HttpCode(200)
  recoverOrigin(): { failing: boolean } {
    this.origin.set(false);
    return { failing: false };
  }
}
