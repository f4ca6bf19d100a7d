import { Injectable, Module } from '@nestjs/common';
import { Cacheable, CacheableMany, defineCache } from '../../lib/index.js';

export interface Item {
  id: number;
  name: string;
}

export const itemById = defineCache({
  name: 'item',
  key: (id: number) => id,
  ttl: '1m',
  tags: (id: number) => [`item:${id}`],
});

export const maybeItemById = defineCache({ name: 'item.maybe', key: (id: number) => id, cacheNull: '30s' });

/** Items 1..20000 (ids above are unknown); every loader call and the ids it got are recorded. */
@Injectable()
export class ItemService {
  singleLoads = 0;
  batchCalls: number[][] = [];
  delayMs = 0;
  failNext = false;
  extra: number[] = [];

  @Cacheable(itemById)
  async findOne(id: number): Promise<Item | null> {
    this.singleLoads++;
    return id <= 20_000 ? { id, name: `item ${id}` } : null;
  }

  @CacheableMany(itemById)
  async findByIds(ids: number[]): Promise<Map<number, Item>> {
    this.batchCalls.push([...ids]);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failNext) {
      this.failNext = false;
      throw new Error(`database unavailable for ${ids.length} ids`);
    }
    const found = new Map<number, Item>();
    for (const id of [...ids, ...this.extra]) if (id <= 20_000) found.set(id, { id, name: `item ${id}` });
    return found;
  }

  /** The array form: values in any order, missing ids left out. */
  @CacheableMany(itemById, { idOf: (item: Item) => item.id })
  async listByIds(ids: number[], suffix = ''): Promise<Item[]> {
    this.batchCalls.push([...ids]);
    return ids
      .filter((id) => id <= 20_000)
      .reverse()
      .map((id) => ({ id, name: `item ${id}${suffix}` }));
  }

  @CacheableMany(maybeItemById)
  async findMaybe(ids: number[]): Promise<Map<number, Item>> {
    this.batchCalls.push([...ids]);
    return new Map(ids.filter((id) => id <= 20_000).map((id) => [id, { id, name: `item ${id}` }]));
  }

  get idsLoaded(): number {
    return this.batchCalls.reduce((sum, ids) => sum + ids.length, 0);
  }
}

@Module({ providers: [ItemService], exports: [ItemService] })
export class ItemModule {}
