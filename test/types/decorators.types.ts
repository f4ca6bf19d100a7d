// Compiled by `tsc` in `npm test`: every @ts-expect-error below must be a real type error,
// and everything else must compile.
import { Observable, of } from 'rxjs';
import {
  CacheEvict,
  CachePut,
  Cacheable,
  CacheableMany,
  CacheKit,
  StaleWhileRevalidate,
  defineCache,
  pick,
} from '../../lib/index.js';

type Locale = 'en' | 'fr';
interface ListQuery {
  category: string;
  page: number;
  utm_source?: string;
}

const productById = defineCache({
  name: 'product',
  key: (id: number, locale: Locale = 'en') => [id, locale],
  ttl: '10m',
});
const byIdOnly = defineCache({ name: 'product.short', key: (id: number) => id });
const byName = defineCache({ name: 'product.name', key: (name: string) => name });
const needsTwo = defineCache({ name: 'product.two', key: (id: number, locale: Locale) => [id, locale] });
const noKey = defineCache({ name: 'anything' });

export class Fits {
  @Cacheable(productById)
  async findOne(id: number, locale: Locale = 'en'): Promise<string> {
    return `${id}:${locale}`;
  }

  // A key function may use a prefix of the method's parameters.
  @Cacheable(byIdOnly)
  async withLocale(id: number, locale: Locale): Promise<string> {
    return `${id}:${locale}`;
  }

  @Cacheable({ name: 'list', key: (q: ListQuery) => pick(q, ['category', 'page']), ttl: '2m' })
  async list(q: ListQuery): Promise<string[]> {
    return [q.category];
  }

  @Cacheable(noKey)
  async any(a: string, b: number): Promise<number> {
    return a.length + b;
  }

  @Cacheable(byIdOnly)
  stream(id: number): Observable<number> {
    return of(id);
  }

  @CachePut(byIdOnly)
  async put(id: number, patch: { name: string }): Promise<string> {
    return patch.name + id;
  }

  @CacheEvict(byIdOnly, { condition: (id: number) => id > 0 })
  async evict(id: number): Promise<void> {}
}

export class Mismatches {
  // @ts-expect-error the key function takes a string, the method a number
  @Cacheable(byName)
  async wrongType(id: number): Promise<string> {
    return String(id);
  }

  // @ts-expect-error the key function needs a second argument the method does not take
  @Cacheable(needsTwo)
  async tooFew(id: number): Promise<string> {
    return String(id);
  }

  // @ts-expect-error inline key function of the wrong type
  @Cacheable({ name: 'inline', key: (id: string) => id })
  async inlineWrong(id: number): Promise<string> {
    return String(id);
  }

  // @ts-expect-error a synchronous method cannot be cached: a Redis lookup is asynchronous
  @Cacheable(byIdOnly)
  sync(id: number): string {
    return String(id);
  }

  // @ts-expect-error @CachePut checks the key function too
  @CachePut(byName)
  async putWrong(id: number): Promise<void> {}

  // @ts-expect-error @CacheEvict checks the key function too
  @CacheEvict(needsTwo)
  async evictWrong(id: number): Promise<void> {}
}

export class UnknownOptions {
  // @ts-expect-error a misspelt option of an inline definition
  @Cacheable({ name: 'inline.typo', key: (id: number) => id, tll: '5m' })
  async typo(id: number): Promise<string> {
    return String(id);
  }

  // @ts-expect-error a misspelt option of @CacheEvict
  @CacheEvict(byIdOnly, { beforeInvokation: true })
  async evictTypo(id: number): Promise<void> {}

  // @ts-expect-error 'ttl' is not an option of @StaleWhileRevalidate (fresh + stale is its hard expiry)
  @StaleWhileRevalidate({ name: 'swr.ttl', key: (id: number) => id, fresh: '1s', stale: '1m', ttl: '5m' })
  async swrWithTtl(id: number): Promise<string> {
    return String(id);
  }
}

// @ts-expect-error a misspelt option of defineCache
defineCache({ name: 'typo', tll: '5m' });
// @ts-expect-error a misspelt option inside 'swr'
defineCache({ name: 'typo.swr', swr: { fresh: '1s', stale: '1m', refreshTimout: '1s' } });

export async function programmatic(cache: CacheKit): Promise<void> {
  const value: string = await cache.getOrSet(byIdOnly, [1], async () => 'x');
  void value;
  // @ts-expect-error arguments must match the definition's key function
  await cache.getOrSet(byIdOnly, ['1'], async () => 'x');
  // @ts-expect-error evict takes the definition's key arguments
  await cache.evict(byName, 1);
  // @ts-expect-error durations are checked at compile time too
  defineCache({ name: 'bad', ttl: '5 minutes' });
}

interface Item {
  id: number;
  name: string;
}

export class Batches {
  @CacheableMany(byIdOnly)
  async findByIds(ids: number[]): Promise<Map<number, Item>> {
    return new Map(ids.map((id) => [id, { id, name: String(id) }]));
  }

  @CacheableMany(byIdOnly, { idOf: (item: Item) => item.id })
  async listByIds(ids: number[], locale?: Locale): Promise<Item[]> {
    return ids.map((id) => ({ id, name: String(locale) }));
  }

  // @ts-expect-error the definition's ids are numbers, the method takes strings
  @CacheableMany(byIdOnly)
  async byNames(ids: string[]): Promise<Map<string, Item>> {
    return new Map(ids.map((id) => [id, { id: 1, name: id }]));
  }

  // @ts-expect-error without idOf the method must resolve to a Map of id to value
  @CacheableMany(byIdOnly)
  async arrayWithoutIdOf(ids: number[]): Promise<Item[]> {
    return ids.map((id) => ({ id, name: '' }));
  }

  // @ts-expect-error with idOf the method must resolve to an array of values
  @CacheableMany(byIdOnly, { idOf: (item: Item) => item.id })
  async mapWithIdOf(ids: number[]): Promise<Map<number, Item>> {
    return new Map(ids.map((id) => [id, { id, name: '' }]));
  }

  // @ts-expect-error the first parameter must be the list of ids
  @CacheableMany(byIdOnly)
  async notAList(id: number): Promise<Map<number, Item>> {
    return new Map([[id, { id, name: '' }]]);
  }
}

export async function batched(cache: CacheKit): Promise<void> {
  const found: Map<number, unknown> = await cache.getMany(
    byIdOnly,
    [1, 2],
    async (ids) => new Map(ids.map((id) => [id, id])),
  );
  void found;
  // @ts-expect-error ids must be the definition's ids
  await cache.getMany(byIdOnly, ['1'], async () => new Map());
}

interface Priced {
  id: number;
  categoryId: number;
}

// Tags from the loaded value: the result and the key's arguments are typed like `ttl`'s function form.
const pricedById = defineCache({
  name: 'priced',
  key: (id: number) => id,
  tags: (id: number) => [`priced:${id}`],
  resultTags: (priced: Priced, id: number) => [`category:${priced.categoryId}`, `priced:${id}`],
  ttl: (priced: Priced) => (priced.categoryId === 0 ? '1m' : '1h'),
});

export class ValueTagged {
  @Cacheable(pricedById)
  async find(id: number): Promise<Priced> {
    return { id, categoryId: 1 };
  }

  @CacheableMany(pricedById)
  async findMany(ids: number[]): Promise<Map<number, Priced>> {
    return new Map(ids.map((id) => [id, { id, categoryId: 1 }]));
  }

  // @ts-expect-error resultTags' arguments after the result must fit the method, as key functions' do
  @Cacheable({ name: 'priced.inline', key: (id: number) => id, resultTags: (p: Priced, id: string) => [id] })
  async wrongArgs(id: number): Promise<Priced> {
    return { id, categoryId: id };
  }
}

// @ts-expect-error resultTags must return strings
defineCache({ name: 'priced.numbers', resultTags: (priced: Priced) => [priced.categoryId] });
// @ts-expect-error the result of resultTags and of ttl's function are one type
defineCache({ name: 'priced.two', ttl: (priced: Priced) => priced.id, resultTags: (text: string) => [text] });
// @ts-expect-error resultTags' arguments follow the key's
defineCache({ name: 'priced.args', key: (id: number) => id, resultTags: (_: Priced, id: string) => [id] });
