import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Cacheable } from '../../lib/index.js';
import { Category } from './category.entity.js';

/** Reads categories; they rarely change, so the list is cached for an hour. */
@Injectable()
export class CategoriesService {
  constructor(@InjectRepository(Category) private readonly categories: Repository<Category>) {}

  /** Every category, by name. */
  @Cacheable({ name: 'categories', ttl: '1h' })
  findAll(): Promise<Category[]> {
    return this.categories.find({ order: { name: 'ASC' } });
  }

  /** One category, or null; looked up in the cached list (`this.findAll()` goes through the cache too). */
  async findOne(id: number): Promise<Category | null> {
    return (await this.findAll()).find((category) => category.id === id) ?? null;
  }
}
