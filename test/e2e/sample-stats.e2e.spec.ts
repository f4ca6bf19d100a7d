import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';

// The stats windows are decorator arguments, read from the environment when the sample's modules
// are imported: set them before the fixture below imports the app (vi.hoisted runs first).
vi.hoisted(() => {
  process.env.STATS_FRESH = '1s';
  process.env.STATS_STALE = '1h';
});

const { SAMPLE_SETUPS, bootSampleApp } = await import('../fixtures/sample-app.fixture.js');
type SampleApp = Awaited<ReturnType<typeof bootSampleApp>>;

type StatsBody = { categoryId: number; products: number; minPrice: number; computedAt: string };
type Counters = { hits: number; staleHits: number; misses: number; loads: number; refreshes: number };

// Category 1 of the seed holds products 1-5; product 3 is its cheapest (19.90).
describe.each(SAMPLE_SETUPS)('category statistics of the sample on %s', (_, setup) => {
  let sample: SampleApp;
  const api = () => request(sample.app.getHttpServer());
  const stats = async (): Promise<StatsBody> => (await api().get('/categories/1/stats').expect(200)).body;
  const counters = async (): Promise<Counters> => (await api().get('/cache/stats').expect(200)).body['category.stats'];

  beforeEach(async () => {
    // A 400 ms aggregate: a caller that waited for it would get the new numbers, not the stale ones.
    sample = await bootSampleApp({ ...setup(), statsDelayMs: 400 });
  });
  afterEach(() => sample.close());

  it('shows the store health at GET /cache/store', async () => {
    const { body } = await api().get('/cache/store').expect(200);
    expect(body).toMatchObject({
      breaker: { reads: 'closed', writes: 'closed' },
      pendingEvictions: 0,
      droppedEvictions: 0,
      reads: { failures: 0, timeouts: 0 },
    });
    expect(['memory', 'redis']).toContain(body.kind);
  });

  it('answers from the stale entry while one background refresh recomputes it, then serves the new one', async () => {
    const first = await stats();
    expect(first).toMatchObject({ categoryId: 1, products: 5, minPrice: 19.9 });
    expect(await stats()).toEqual(first); // fresh hit

    // A change the app does not see (raw SQL: no post-commit eviction), so only the windows apply.
    await sample.query('UPDATE products SET price = 1 WHERE id = 3');
    await new Promise((resolve) => setTimeout(resolve, 1200)); // past the fresh window (1 s + 10% jitter)

    // Five concurrent callers in the stale window: all get the old numbers at once.
    const stale = await Promise.all(Array.from({ length: 5 }, stats));
    for (const body of stale) expect(body).toEqual(first);

    // The one refresh lands: later reads see the new aggregate, computed after the first.
    await vi.waitFor(async () => expect((await stats()).minPrice).toBe(1), { timeout: 5000, interval: 50 });
    const refreshed = await stats();
    expect(Date.parse(refreshed.computedAt)).toBeGreaterThan(Date.parse(first.computedAt));

    const after = await counters();
    // One synchronous load at the miss, one background refresh for all the stale callers.
    expect(after).toMatchObject({ misses: 1, loads: 2, refreshes: 1 });
    expect(after.staleHits).toBeGreaterThanOrEqual(5);
  });

  it('recomputes at once when a product write evicts the statistics after COMMIT', async () => {
    const first = await stats();
    await api().patch('/products/3').send({ price: 2 }).expect(200);
    const next = await stats();
    expect(next.minPrice).toBe(2);
    expect(Date.parse(next.computedAt)).toBeGreaterThan(Date.parse(first.computedAt));
    expect(await counters()).toMatchObject({ misses: 2, loads: 2, staleHits: 0 });
  });
});
