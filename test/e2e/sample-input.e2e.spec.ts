import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { SAMPLE_SETUPS, SampleApp, bootSampleApp } from '../fixtures/sample-app.fixture.js';

type Stats = Record<string, { hits: number; misses: number; loads: number }>;

// Ids that are not a product id as a client writes one: hex, exponent, past 2^53 (parses as
// 9007199254740992), signed, zero, padded, fractional, leading zero, and past the id column.
const BAD_IDS = ['0x10', '1e3', '9007199254740993', '-1', '0', '+1', '%201', '1.0', '01', '2147483648'];

/** The 400's messages (a string for a pipe, a list for the validation pipe). */
function messagesOf(response: request.Response): string[] {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  const { message } = response.body as { message: string | string[] };
  return Array.isArray(message) ? message : [message];
}

/** Asserts a 400 whose only message starts with the field's name. */
function expectRejected(response: request.Response, field: string): void {
  const messages = messagesOf(response);
  expect(messages, JSON.stringify(messages)).toHaveLength(1);
  expect(messages[0].startsWith(`${field} `), messages[0]).toBe(true);
}

// The seed: product 2 is 'Floor lamp' (89.00) in category 1.
describe.each(SAMPLE_SETUPS)('bad input to the sample catalogue on %s', (_, setup) => {
  let sample: SampleApp;
  const api = () => request(sample.app.getHttpServer());
  const stats = async (): Promise<Stats> => (await api().get('/cache/stats').expect(200)).body;

  beforeEach(async () => {
    sample = await bootSampleApp(setup());
  });
  afterEach(() => sample.close());

  it('refuses null for a PATCH field with a 400 naming it, writing and evicting nothing', async () => {
    for (const field of ['name', 'price', 'categoryId']) {
      expectRejected(
        await api()
          .patch('/products/2')
          .send({ [field]: null }),
        field,
      );
    }
    expect(sample.evictions).toEqual([]);
    expect(await sample.row(2)).toMatchObject({ name: 'Floor lamp', price: 89, categoryId: 1 });
  });

  it('refuses numbers the columns cannot hold, in POST and PATCH bodies, with a 400 naming the field', async () => {
    const product = { name: 'Wall lamp', price: 42, categoryId: 1 };
    expectRejected(
      await api()
        .post('/products')
        .send({ ...product, categoryId: 2147483648 }),
      'categoryId',
    );
    expectRejected(
      await api()
        .post('/products')
        .send({ ...product, price: 100_000_000 }),
      'price',
    );
    expectRejected(await api().patch('/products/2').send({ categoryId: 2147483648 }), 'categoryId');
    expectRejected(await api().patch('/products/2').send({ price: 1e21 }), 'price');
    // The largest price numeric(10,2) holds is a price.
    await api().patch('/products/2').send({ price: 99_999_999.99 }).expect(200);
    expect(await sample.row(2)).toMatchObject({ price: 99_999_999.99, categoryId: 1 });
  });

  it('refuses a NUL in a name and a price below a cent written with an exponent, with a 400 naming the field', async () => {
    expectRejected(await api().post('/products').send({ name: 'Wall\u0000lamp', price: 42, categoryId: 1 }), 'name');
    expectRejected(await api().patch('/products/2').send({ name: 'Floor\u0000lamp' }), 'name');
    // 1e-7 has no '.' in its string form, which the decimal-places check of IsNumber trips over.
    expectRejected(await api().patch('/products/2').send({ price: 1e-7 }), 'price');
    expectRejected(await api().patch('/products/2').send({ price: 0.001 }), 'price');
    expect(sample.evictions).toEqual([]);
    expect(await sample.row(2)).toMatchObject({ name: 'Floor lamp', price: 89 });
  });

  it('refuses a page past the deepest one with a 400 naming page, and serves the deepest one', async () => {
    expectRejected(await api().get('/products?page=99999999999999999999'), 'page');
    expectRejected(await api().get('/products?page=10001'), 'page');
    const deepest = await api().get('/products?page=10000').expect(200);
    expect(deepest.body).toMatchObject({ items: [], page: 10000, total: 20 });
  });

  it('reads list numbers in plain decimal only: other spellings are a 400 naming the param', async () => {
    for (const page of ['0x2', '1e1', '%202', '2.0', '02', '-1', '0']) {
      expectRejected(await api().get(`/products?page=${page}`), 'page');
    }
    for (const category of ['0x1', '1e0', '01', '0', '2147483648']) {
      expectRejected(await api().get(`/products?category=${category}`), 'category');
    }
    expect((await stats())['products.list']).toBeUndefined();
    const second = await api().get('/products?page=2').expect(200);
    expect(second.body).toMatchObject({ page: 2, pageSize: 10, total: 20 });
  });

  it('reads a product id in plain decimal only: anything else is a 400 naming id, never a cached 404', async () => {
    for (const id of BAD_IDS) {
      expectRejected(await api().get(`/products/${id}`), 'id');
      expectRejected(await api().patch(`/products/${id}`).send({ price: 1 }), 'id');
      expectRejected(await api().delete(`/products/${id}`), 'id');
    }
    expect((await stats()).product).toBeUndefined();
    expect(sample.evictions).toEqual([]);
    // The largest id the column holds is an id: unknown, so a 404.
    await api().get('/products/2147483647').expect(404);
    await api().get('/products/16').expect(200);
  });

  it('reads a category id in plain decimal only', async () => {
    for (const id of BAD_IDS) expectRejected(await api().get(`/categories/${id}/stats`), 'id');
    // Refused before the controller looked the category up (in the cached list) or read its stats.
    const after = await stats();
    expect(after.categories).toBeUndefined();
    expect(after['category.stats']).toMatchObject({ hits: 0, misses: 0, loads: 0 });
    await api().get('/categories/1/stats').expect(200);
  });
});
