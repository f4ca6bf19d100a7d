import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { SAMPLE_SETUPS, SampleApp, bootSampleApp } from '../fixtures/sample-app.fixture.js';

type Stats = Record<string, { hits: number; misses: number; loads: number; evictions: number }>;

describe.each(SAMPLE_SETUPS)('the sample catalogue on %s', (_, setup) => {
  let sample: SampleApp;
  const api = () => request(sample.app.getHttpServer());
  const stats = async (): Promise<Stats> => (await api().get('/cache/stats').expect(200)).body;
  const patch = (id: number, body: unknown) =>
    api()
      .patch(`/products/${id}`)
      .send(body as object);

  beforeEach(async () => {
    sample = await bootSampleApp(setup());
  });
  afterEach(() => sample.close());

  it('serves the second GET of a product from the cache', async () => {
    const first = await api().get('/products/1').expect(200);
    const second = await api().get('/products/1').expect(200);
    expect(first.body).toMatchObject({ id: 1, name: 'Desk lamp', price: 34.9, categoryId: 1 });
    expect(second.body).toEqual(first.body);
    expect((await stats()).product).toMatchObject({ misses: 1, hits: 1, loads: 1 });
  });

  it('keys the list on category, sort and page only: utm_* params share one entry', async () => {
    const first = await api().get('/products?category=1&utm_source=newsletter').expect(200);
    const second = await api().get('/products?category=1&utm_source=ads&utm_campaign=spring').expect(200);
    expect(second.body).toEqual(first.body);
    expect(first.body.items).toHaveLength(5);
    expect((await stats())['products.list']).toMatchObject({ misses: 1, hits: 1, loads: 1 });
    // Defaults are part of the query object, so spelling them out is the same entry...
    await api().get('/products?category=1&sort=name&page=1').expect(200);
    // ...while a parameter the result depends on is another one.
    await api().get('/products?category=2').expect(200);
    expect((await stats())['products.list']).toMatchObject({ misses: 2, hits: 2, loads: 2 });
  });

  it('shows a PATCH on the next GET of the product and of the list (no stale read)', async () => {
    await api().get('/products/1').expect(200);
    await api().get('/products?category=1').expect(200);
    const updated = await patch(1, { price: 12.5, name: 'Desk lamp, brass' }).expect(200);
    expect(updated.body).toMatchObject({ id: 1, price: 12.5, name: 'Desk lamp, brass' });

    const after = await api().get('/products/1').expect(200);
    expect(after.body).toEqual(updated.body);
    const list = await api().get('/products?category=1').expect(200);
    expect(list.body.items.find((p: { id: number }) => p.id === 1)).toEqual(updated.body);
    expect((await stats()).product).toMatchObject({ misses: 2, hits: 0, loads: 2 });
    expect((await sample.row(1))?.price).toBe(12.5);
  });

  it('rejects an invalid PATCH body with a 400 naming the field, writing and evicting nothing', async () => {
    const cached = (await api().get('/products/1').expect(200)).body;

    const wrongType = await patch(1, { price: 'abc' }).expect(400);
    expect(wrongType.body.message).toEqual([expect.stringMatching(/^price must be a number/)]);
    const unknownField = await patch(1, { price: 10, stock: 3 }).expect(400);
    expect(unknownField.body.message).toContain('property stock should not exist');
    // Valid shape, refused by the service: the eviction after the write must not run either.
    const unknownCategory = await patch(1, { categoryId: 99 }).expect(400);
    expect(unknownCategory.body.message).toMatch(/categoryId 99/);

    expect(sample.evictions).toEqual([]);
    expect((await api().get('/products/1').expect(200)).body).toEqual(cached);
    expect((await stats()).product).toMatchObject({ misses: 1, hits: 1, loads: 1 });
    expect(await sample.row(1)).toMatchObject({ price: 34.9, categoryId: 1, name: 'Desk lamp' });
  });

  it('answers 404 for an unknown id and serves the second 404 from the cache (negative caching)', async () => {
    const first = await api().get('/products/999').expect(404);
    expect(first.body).toMatchObject({ statusCode: 404, message: 'Product 999 not found' });
    await api().get('/products/999').expect(404);
    expect((await stats()).product).toMatchObject({ misses: 1, hits: 1, loads: 1 });
  });

  it('rejects a non-numeric id and an unknown query param with a 400', async () => {
    await api().get('/products/abc').expect(400);
    const unknown = await api().get('/products?colour=red').expect(400);
    expect(unknown.body.message).toContain('property colour should not exist');
    const badPage = await api().get('/products?page=two').expect(400);
    expect(badPage.body.message).toEqual([expect.stringMatching(/^page must be an integer/)]);
    expect((await stats()).product).toBeUndefined();
  });
});
