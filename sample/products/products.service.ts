import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { Cacheable, CacheableMany } from '../../lib/index.js';
import { CreateProductDto } from './dto/create-product.dto.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import { type ListQuery, PAGE_SIZE, ProductPage } from './list-query.js';
import { productById, productList } from './product.cache.js';
import { requireCategory, requireUniqueName } from './product.constraints.js';
import { Product } from './product.entity.js';

const ORDER = {
  name: { name: 'ASC', id: 'ASC' },
  price: { price: 'ASC', id: 'ASC' },
  '-price': { price: 'DESC', id: 'ASC' },
  '-updatedAt': { updatedAt: 'DESC', id: 'ASC' },
} as const;

/**
 * Reads and writes products. Reads are cached. Writes run in transactions and contain no cache
 * code: the TypeORM bridge evicts what they changed after COMMIT (product.invalidation.ts), so a
 * write that fails, even after its SQL ran, evicts nothing.
 */
@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** The product, or null when there is none (null is cached briefly too). */
  @Cacheable(productById)
  findOne(id: number): Promise<Product | null> {
    return this.products.findOneBy({ id });
  }

  /**
   * Several products by id, from the same entries as `findOne`: the cached ones in one round
   * trip, the others in one query (called with the missing ids only). Unknown ids are left out,
   * and cached as "not found" like `findOne`'s (productById caches nulls).
   */
  @CacheableMany(productById)
  async findByIds(ids: number[]): Promise<Map<number, Product>> {
    const rows = await this.products.findBy({ id: In(ids) });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** One page of products, optionally of one category. */
  @Cacheable(productList)
  async list(query: ListQuery): Promise<ProductPage<Product>> {
    const [items, total] = await this.products.findAndCount({
      where: query.category === undefined ? {} : { categoryId: query.category },
      order: ORDER[query.sort],
      skip: (query.page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
    });
    return { items, page: query.page, pageSize: PAGE_SIZE, total };
  }

  /** Adds a product and returns it. 400 when the category does not exist, 409 when the name is taken. */
  create(input: CreateProductDto): Promise<Product> {
    return this.dataSource.transaction(async (manager) => {
      await requireCategory(manager, input.categoryId);
      const { id } = await manager.save(manager.create(Product, { ...input }));
      await requireUniqueName(manager, input.name);
      return manager.findOneByOrFail(Product, { id });
    });
  }

  /**
   * Applies a partial update and returns the updated product, or null when there is none. 400 when
   * the new category does not exist, 409 when the new name is taken (checked after the save).
   */
  update(id: number, patch: UpdateProductDto): Promise<Product | null> {
    return this.dataSource.transaction(async (manager) => {
      // Read the row itself, not the cached copy: that copy is what this write replaces.
      const product = await manager.findOneBy(Product, { id });
      if (!product) return null;
      if (patch.categoryId !== undefined) await requireCategory(manager, patch.categoryId);
      await manager.save(manager.merge(Product, product, { ...patch }));
      if (patch.name !== undefined) await requireUniqueName(manager, patch.name);
      return manager.findOneByOrFail(Product, { id });
    });
  }

  /** Deletes a product; false when there is none. */
  remove(id: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const product = await manager.findOneBy(Product, { id });
      if (!product) return false;
      await manager.remove(product);
      return true;
    });
  }
}
