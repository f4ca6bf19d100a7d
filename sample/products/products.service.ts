import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CacheEvict, Cacheable } from '../../lib/index.js';
import { Category } from '../categories/category.entity.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import { ListQuery, PAGE_SIZE, ProductPage } from './list-query.js';
import { productById, productList } from './product.cache.js';
import { Product } from './product.entity.js';

const ORDER = {
  name: { name: 'ASC', id: 'ASC' },
  price: { price: 'ASC', id: 'ASC' },
  '-price': { price: 'DESC', id: 'ASC' },
  '-updatedAt': { updatedAt: 'DESC', id: 'ASC' },
} as const;

/** Reads and writes products; reads are cached, writes evict what they make stale. */
@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    @InjectRepository(Category) private readonly categories: Repository<Category>,
  ) {}

  /** The product, or null when there is none (null is cached briefly too). */
  @Cacheable(productById)
  findOne(id: number): Promise<Product | null> {
    return this.products.findOneBy({ id });
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

  /**
   * Applies a partial update and returns the updated product, or null when there is none.
   * Evicts the product and every list page once the write has succeeded; a failed write evicts
   * nothing. (Any page may hold the product, so all pages go.)
   */
  @CacheEvict(productById)
  // Evicting all entries uses no key, so only the cache name is shared with the read side.
  @CacheEvict({ name: productList.name }, { allEntries: true })
  async update(id: number, patch: UpdateProductDto): Promise<Product | null> {
    // Read the row directly, not through findOne: the cached copy is what this write replaces.
    const product = await this.products.findOneBy({ id });
    if (!product) return null;
    if (patch.categoryId !== undefined && !(await this.categories.existsBy({ id: patch.categoryId }))) {
      throw new BadRequestException(`categoryId ${patch.categoryId} does not exist`);
    }
    await this.products.save(this.products.merge(product, patch));
    return this.products.findOneByOrFail({ id });
  }
}
