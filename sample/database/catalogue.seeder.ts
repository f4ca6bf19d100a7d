import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Category } from '../categories/category.entity.js';
import { Product } from '../products/product.entity.js';
import { SEED_CATEGORIES, SEED_PRODUCTS } from './catalogue.seed.js';

/** Fills an empty catalogue with demo data at boot, so a first `npm start` has something to show. */
@Injectable()
export class CatalogueSeeder implements OnApplicationBootstrap {
  readonly #logger = new Logger('CatalogueSeeder');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    // One transaction: two instances booting together cannot both seed, nor leave half a catalogue.
    const seeded = await this.dataSource.transaction(async (manager) => {
      if ((await manager.count(Category)) > 0 || (await manager.count(Product)) > 0) return false;
      const categories = await manager.save(
        Category,
        SEED_CATEGORIES.map((name) => manager.create(Category, { name })),
      );
      await manager.save(
        Product,
        SEED_PRODUCTS.map(([name, price, category]) =>
          manager.create(Product, { name, price, categoryId: categories[category].id }),
        ),
      );
      return true;
    });
    if (seeded) {
      this.#logger.log(`Seeded ${SEED_CATEGORIES.length} categories and ${SEED_PRODUCTS.length} products`);
    }
  }
}
