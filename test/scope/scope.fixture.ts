import { Injectable, Module } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { CacheEvict, Cacheable, CacheableMany, defineCache } from '../../lib/index.js';

/** The tenant of the current call, as an app would keep it (a middleware runs each request in it). */
export const tenants = new AsyncLocalStorage<string>();

/** Runs `fn` as `tenant`. */
export function asTenant<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
  return tenants.run(tenant, fn);
}

export const noteById = defineCache({ name: 'note', key: (id: number) => id, tags: (id: number) => [`note:${id}`] });
export const currencyByCode = defineCache({
  name: 'currency',
  key: (code: string) => code,
  scope: false,
  tags: (code: string) => [`currency:${code}`],
});

/** Every tenant has its own rows under the same ids; loads are counted per tenant. */
@Injectable()
export class NoteService {
  loads: string[] = [];

  @Cacheable(noteById)
  async findOne(id: number): Promise<string> {
    const tenant = tenants.getStore() ?? '(none)';
    this.loads.push(`${tenant}:${id}`);
    return `${tenant}'s note ${id}`;
  }

  @CacheableMany(noteById)
  async findByIds(ids: number[]): Promise<Map<number, string>> {
    const tenant = tenants.getStore() ?? '(none)';
    for (const id of ids) this.loads.push(`${tenant}:${id}`);
    return new Map(ids.map((id) => [id, `${tenant}'s note ${id}`]));
  }

  @CacheEvict({ tags: (id: number) => [`note:${id}`] })
  async touch(id: number): Promise<void> {
    void id;
  }

  @CacheEvict(noteById)
  async remove(id: number): Promise<void> {
    void id;
  }

  @Cacheable(currencyByCode)
  async rate(code: string): Promise<string> {
    this.loads.push(`rate:${code}`);
    return `${code} rate`;
  }
}

@Module({ providers: [NoteService], exports: [NoteService] })
export class NoteModule {}
