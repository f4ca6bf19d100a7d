import { Controller, Get } from '@nestjs/common';
import { CategoriesService } from './categories.service.js';
import { Category } from './category.entity.js';

/** HTTP API of the catalogue's categories. */
@Controller('categories')
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  /** `GET /categories`: every category. */
  @Get()
  findAll(): Promise<Category[]> {
    return this.categories.findAll();
  }
}
