import { Injectable } from '@nestjs/common';
import { Cacheable, defineCache } from '../../lib/index.js';

/** The cache the CLI tests inspect: two key parts and two tags per entry. */
export const productById = defineCache({
  name: 'product',
  key: (id: number, locale: string) => [id, locale],
  ttl: '10m',
  jitter: 0,
  tags: (id: number) => [`product:${id}`, 'catalog'],
});

/** Fills the caches the CLI tests read: `product` (tagged) and `price`. */
@Injectable()
export class ProductService {
  loads = 0;

  @Cacheable(productById)
  async product(id: number, locale: string): Promise<{ id: number; locale: string }> {
    this.loads++;
    return { id, locale };
  }

  @Cacheable({ name: 'price', key: (id: number) => id, ttl: '1m' })
  async price(id: number): Promise<number> {
    this.loads++;
    return id * 100;
  }
}
