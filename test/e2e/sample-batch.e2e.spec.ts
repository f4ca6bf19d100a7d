import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { SAMPLE_SETUPS, SampleApp, bootSampleApp } from '../fixtures/sample-app.fixture.js';

type Stats = Record<string, { hits: number; misses: number; loads: number }>;

describe.each(SAMPLE_SETUPS)('GET /products/by-ids on %s', (_, setup) => {
  let sample: SampleApp;
  const api = () => request(sample.app.getHttpServer());
  const stats = async (): Promise<Stats> => (await api().get('/cache/stats').expect(200)).body;

  beforeEach(async () => {
    sample = await bootSampleApp(setup());
  });
  afterEach(() => sample.close());

  it("serves each id from GET /products/:id's entries, loading the missing ones in one query", async () => {
    const one = (await api().get('/products/2').expect(200)).body;
    const many = (await api().get('/products/by-ids?ids=3,2,1,999999').expect(200)).body;
    expect(many.map((product: { id: number }) => product.id)).toEqual([3, 2, 1]);
    expect(many[1]).toEqual(one);
    expect((await stats()).product).toMatchObject({ hits: 1, loads: 4 }); // 2 was a hit; 1, 3 and 999999 loaded
    await api().get('/products/by-ids?ids=1,2,3,999999').expect(200);
    expect((await stats()).product).toMatchObject({ hits: 5, loads: 4 }); // "not found" is cached too
  });

  it.each(['', '1,,2', '1,x', '0', `${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`])(
    'answers 400 to ids=%s',
    async (ids) => {
      const response = await api().get(`/products/by-ids?ids=${ids}`).expect(400);
      expect(response.body.message).toMatch(/ids/);
    },
  );
});
