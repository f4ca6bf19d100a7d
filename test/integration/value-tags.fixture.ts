import { Injectable, Module } from '@nestjs/common';
import { CachePut, Cacheable, CacheableMany, defineCache } from '../../lib/index.js';

export interface Product {
  id: number;
  category: string;
}

// A product's tags come from its category, which only the loaded row knows.
export const productById = defineCache({
  name: 'product',
  key: (id: number) => id,
  ttl: '1m',
  tags: (id: number) => [`product:${id}`],
  resultTags: (product: Product) => [`category:${product.category}`],
});

/** Products in a table the tests edit; a load can be held open to evict while it runs. */
@Injectable()
export class ProductService {
  readonly categories = new Map<number, string>([
    [1, 'books'],
    [2, 'toys'],
    [3, 'books'],
  ]);
  loads = 0;
  #gate?: Promise<void>;
  #started?: () => void;

  /** Holds the next loads open until `release` is called; resolves once one has read its row. */
  hold(): { started: Promise<void>; release: () => void } {
    let release!: () => void;
    this.#gate = new Promise((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (this.#started = resolve));
    return {
      started,
      release: () => {
        this.#gate = undefined;
        release();
      },
    };
  }

  async #row(id: number): Promise<Product> {
    this.loads++;
    const row = { id, category: this.categories.get(id) ?? 'none' };
    this.#started?.();
    if (this.#gate) await this.#gate;
    return row;
  }

  @Cacheable(productById)
  findOne(id: number): Promise<Product> {
    return this.#row(id);
  }

  @CacheableMany(productById)
  async findByIds(ids: number[]): Promise<Map<number, Product>> {
    const rows = await Promise.all(ids.map((id) => this.#row(id)));
    return new Map(rows.map((row) => [row.id, row]));
  }

  @CachePut(productById)
  async move(id: number, category: string): Promise<Product> {
    this.categories.set(id, category);
    return { id, category };
  }

  @Cacheable({
    name: 'product.broken',
    key: (id: number) => id,
    resultTags: (): string[] => {
      throw new Error('no category');
    },
  })
  broken(id: number): Promise<Product> {
    return this.#row(id);
  }
}

@Module({ providers: [ProductService], exports: [ProductService] })
export class ProductModule {}
