import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';

// Short windows, so fail-safe (which starts where fresh + stale end) shows within the test.
vi.hoisted(() => {
  process.env.STATS_FRESH = '200ms';
  process.env.STATS_STALE = '200ms';
});

const { SAMPLE_SETUPS, bootSampleApp } = await import('../fixtures/sample-app.fixture.js');
type SampleApp = Awaited<ReturnType<typeof bootSampleApp>>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(SAMPLE_SETUPS)('the sample with its statistics aggregate failing, on %s', (_, setup) => {
  let sample: SampleApp;
  const api = () => request(sample.app.getHttpServer());
  beforeEach(async () => {
    sample = await bootSampleApp(setup());
  });
  afterEach(() => sample.close());

  it('answers with the last good statistics (fail-safe) once they expired, and fails where there are none', async () => {
    const before = (await api().get('/categories/1/stats').expect(200)).body;
    await sleep(500); // past fresh + stale
    await api().post('/categories/stats/origin/fail').expect(200, { failing: true });
    const during = (await api().get('/categories/1/stats').expect(200)).body;
    expect(during.computedAt).toBe(before.computedAt); // the last good value
    expect(during.products).toBe(before.products);
    await api().get('/categories/2/stats').expect(503); // never computed: nothing to fall back on
    const counters = (await api().get('/cache/stats').expect(200)).body['category.stats'];
    expect(counters.failSafeHits).toBe(1);
    await api().post('/categories/stats/origin/recover').expect(200, { failing: false });
    await api().get('/categories/2/stats').expect(200);
  });
});
