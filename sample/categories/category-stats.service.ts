import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { Repository } from 'typeorm';
import { StaleWhileRevalidate } from '../../lib/index.js';
import { DEFAULT_STATS_DELAY_MS, appOptionsOf } from '../app.options.js';
import { Product } from '../products/product.entity.js';
import { categoryStats } from './category-stats.cache.js';
import { StatsOriginSwitch } from './stats-origin.switch.js';

/** Statistics of one category's products. */
export interface CategoryStats {
  categoryId: number;
  products: number;
  /** null when the category has no products. */
  minPrice: number | null;
  maxPrice: number | null;
  averagePrice: number | null;
  /** When the aggregate ran: a stale answer shows an older time. */
  computedAt: Date;
}

interface StatsRow {
  products: string | number;
  minPrice: string | number | null;
  maxPrice: string | number | null;
  averagePrice: string | number | null;
}

/** Computes category statistics: an expensive aggregate, so it is served stale-while-revalidate. */
@Injectable()
export class CategoryStatsService {
  readonly #delayMs: number;

  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    config: ConfigService,
    private readonly origin: StatsOriginSwitch,
  ) {
    this.#delayMs = appOptionsOf(config).statsDelayMs ?? DEFAULT_STATS_DELAY_MS;
  }

  /** Statistics of a category (callers check that it exists). */
  @StaleWhileRevalidate(categoryStats)
  async forCategory(categoryId: number): Promise<CategoryStats> {
    this.origin.check();
    const row = await this.products
      .createQueryBuilder('product')
      .select('COUNT(*)', 'products')
      .addSelect('MIN(product.price)', 'minPrice')
      .addSelect('MAX(product.price)', 'maxPrice')
      .addSelect('AVG(product.price)', 'averagePrice')
      .where('product.categoryId = :categoryId', { categoryId })
      .getRawOne<StatsRow>();
    // Stands for a real aggregate (a year of orders, say): on 20 demo rows the query is instant.
    if (this.#delayMs > 0) await sleep(this.#delayMs);
    return {
      categoryId,
      products: Number(row?.products ?? 0),
      minPrice: numberOrNull(row?.minPrice),
      maxPrice: numberOrNull(row?.maxPrice),
      averagePrice: cents(numberOrNull(row?.averagePrice)),
      computedAt: new Date(),
    };
  }
}

// PostgreSQL returns COUNT and NUMERIC aggregates as strings (to keep precision); SQLite as numbers.
function numberOrNull(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function cents(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
