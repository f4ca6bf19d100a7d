import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { SAMPLE_SETUPS, SampleApp, bootSampleApp } from '../fixtures/sample-app.fixture.js';

type Counters = { hits: number; misses: number; loads: number };
type Stats = Record<string, Counters>;
type Item = { id: number; name: string; categoryId: number };

// The seed: category 1 (Lighting) holds products 1-5, category 2 (Furniture) 6-10; 20 products in all.
describe.each(SAMPLE_SETUPS)('writes to the sample catalogue on %s', (_, setup) => {
  let sample: SampleApp;
  const api = () => request(sample.app.getHttpServer());
  const get = async (path: string) => (await api().get(path).expect(200)).body;
  const stats = async (): Promise<Stats> => (await api().get('/cache/stats').expect(200)).body;
  const ids = (page: { items: Item[] }) => page.items.map((item) => item.id);
  const productCount = async () =>
    Number(((await sample.query('SELECT COUNT(*) AS n FROM products')) as { n: number | string }[])[0].n);

  beforeEach(async () => {
    sample = await bootSampleApp(setup());
  });
  afterEach(() => sample.close());

  it('shows a product moved to another category in both lists, the full list and both stats on the next read', async () => {
    await get('/products/1');
    await get('/products?category=1');
    await get('/products?category=2');
    await get('/products?category=3');
    await get('/products');
    const lightingBefore = await get('/categories/1/stats');
    await get('/categories/2/stats');
    const before = await stats();

    const moved = await api().patch('/products/1').send({ categoryId: 2 }).expect(200);
    expect(moved.body).toMatchObject({ id: 1, name: 'Desk lamp', categoryId: 2 });

    expect(await get('/products/1')).toEqual(moved.body);
    expect(ids(await get('/products?category=1'))).toEqual([2, 4, 3, 5]);
    const furniture = await get('/products?category=2');
    expect(furniture.total).toBe(6);
    expect(furniture.items).toContainEqual(moved.body);
    expect((await get('/products')).items).toContainEqual(moved.body);
    expect(await get('/categories/1/stats')).toMatchObject({ products: 4, minPrice: 19.9, maxPrice: 89 });
    expect(await get('/categories/2/stats')).toMatchObject({ products: 6, minPrice: 34.9, maxPrice: 899 });
    expect(lightingBefore).toMatchObject({ products: 5 });

    // Category 3's list was not touched: still served from the cache.
    await get('/products?category=3');
    const after = await stats();
    expect(after['products.list'].loads - before['products.list'].loads).toBe(3);
    expect(after['products.list'].hits - before['products.list'].hits).toBe(1);
    expect(after['category.stats'].loads - before['category.stats'].loads).toBe(2);

    expect(sample.evictions).toHaveLength(1);
    expect(sample.evictions[0]).toMatchObject({ transaction: 'committed', outcome: 'evicted' });
    expect([...sample.evictions[0].tags].sort()).toEqual(['category:1', 'category:2', 'category:all', 'product:1']);
    expect(sample.evictions[0].keys).toHaveLength(2); // the stats of categories 1 and 2
  });

  it('shows a created product in its lists and evicts its cached 404; other lists stay cached', async () => {
    await api().get('/products/21').expect(404); // cached "not found"
    await get('/products?category=1');
    await get('/products?category=2');
    await get('/products');
    await get('/categories/1/stats');
    const before = await stats();

    const created = await api().post('/products').send({ name: 'Wall lamp', price: 42, categoryId: 1 }).expect(201);
    expect(created.body).toMatchObject({ id: 21, name: 'Wall lamp', price: 42, categoryId: 1 });

    expect(await get('/products/21')).toEqual(created.body);
    const lighting = await get('/products?category=1');
    expect(lighting.total).toBe(6);
    expect(lighting.items).toContainEqual(created.body);
    expect((await get('/products')).total).toBe(21);
    expect(await get('/categories/1/stats')).toMatchObject({ products: 6, maxPrice: 89 });
    await get('/products?category=2');

    const after = await stats();
    expect(after['products.list'].loads - before['products.list'].loads).toBe(2);
    expect(after['products.list'].hits - before['products.list'].hits).toBe(1);
    expect(sample.evictions).toHaveLength(1);
  });

  it('drops a deleted product from its lists and answers 404 for it; other lists stay cached', async () => {
    await get('/products/1');
    await get('/products?category=1');
    await get('/products?category=2');
    await get('/products');
    await get('/categories/1/stats');
    const before = await stats();

    await api().delete('/products/1').expect(204);

    await api().get('/products/1').expect(404);
    const lighting = await get('/products?category=1');
    expect(lighting.total).toBe(4);
    expect(ids(lighting)).not.toContain(1);
    expect((await get('/products')).total).toBe(19);
    expect(await get('/categories/1/stats')).toMatchObject({ products: 4 });
    await get('/products?category=2');
    const after = await stats();
    expect(after['products.list'].loads - before['products.list'].loads).toBe(2);
    expect(after['products.list'].hits - before['products.list'].hits).toBe(1);

    const again = await api().delete('/products/1').expect(404);
    expect(again.body.message).toBe('Product 1 not found');
    await api().delete('/products/one').expect(400);
    expect(sample.evictions).toHaveLength(1);
    expect(await productCount()).toBe(19);
  });

  it('rolls back a write refused after its SQL ran (name taken) and leaves the cache as it was', async () => {
    const paths = ['/products/2', '/products?category=1', '/products?category=2', '/products'];
    paths.push('/categories/1/stats', '/categories/2/stats');
    const cached = await Promise.all(paths.map(get));
    const before = await stats();

    // Renamed and moved by the UPDATE, then refused by the name check in the same transaction.
    const renamed = await api().patch('/products/2').send({ name: 'desk LAMP', categoryId: 2 }).expect(409);
    expect(renamed.body.message).toBe("A product named 'desk LAMP' already exists");
    // Inserted, then refused.
    await api().post('/products').send({ name: 'FLOOR LAMP', price: 1, categoryId: 2 }).expect(409);

    expect(sample.evictions).toEqual([]);
    expect(await sample.row(2)).toMatchObject({ name: 'Floor lamp', categoryId: 1 });
    expect(await productCount()).toBe(20);
    for (const [i, path] of paths.entries()) expect(await get(path)).toEqual(cached[i]);
    const after = await stats();
    for (const name of ['product', 'products.list', 'category.stats']) {
      expect(after[name].loads, name).toBe(before[name].loads);
    }
  });

  it('rejects an invalid POST body with a 400 naming the field, writing and evicting nothing', async () => {
    await get('/products?category=1');
    const post = (body: object) => api().post('/products').send(body).expect(400);

    expect((await post({ price: 10, categoryId: 1 })).body.message).toEqual(['name must be a string']);
    expect((await post({ name: 'Lamp', price: -1, categoryId: 1 })).body.message).toEqual([
      'price must not be less than 0',
    ]);
    expect((await post({ name: 'Lamp', price: 1, categoryId: '1' })).body.message).toEqual([
      expect.stringMatching(/^categoryId must be an integer/),
    ]);
    const unknownField = await post({ name: 'Lamp', price: 1, categoryId: 1, stock: 3 });
    expect(unknownField.body.message).toContain('property stock should not exist');
    // Valid shape, refused by the service before it writes.
    expect((await post({ name: 'Lamp', price: 1, categoryId: 99 })).body.message).toBe('categoryId 99 does not exist');

    expect(sample.evictions).toEqual([]);
    expect(await productCount()).toBe(20);
    await get('/products?category=1');
    expect((await stats())['products.list']).toMatchObject({ misses: 1, hits: 1, loads: 1 });
  });
});
