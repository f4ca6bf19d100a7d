import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { SAMPLE_SETUPS, bootSampleApp } from '../fixtures/sample-app.fixture.js';

type SampleApp = Awaited<ReturnType<typeof bootSampleApp>>;

describe.each(SAMPLE_SETUPS)('GET /metrics of the sample on %s', (_, setup) => {
  let sample: SampleApp;
  afterEach(() => sample.close());

  it('exposes the cache counters and lookup latency of the requests it served', async () => {
    sample = await bootSampleApp(setup());
    const api = () => request(sample.app.getHttpServer());
    await api().get('/products/1').expect(200); // a miss
    for (let i = 0; i < 16; i++) await api().get('/products/1').expect(200); // 16 hits
    const { text, headers } = await api().get('/metrics').expect(200);
    expect(headers['content-type']).toMatch(/^text\/plain/);
    expect(text).toContain('# TYPE cachekit_lookup_duration_seconds histogram');
    const count = (outcome: string) =>
      Number(
        text
          .split('\n')
          .find((line) =>
            line.startsWith(`cachekit_lookup_duration_seconds_count{cache="product",outcome="${outcome}"}`),
          )
          ?.split(' ')
          .pop(),
      );
    // One lookup in 16 is timed (the default latencySampling): the miss and the 16th hit.
    expect(count('miss')).toBe(1);
    expect(count('l1_hit')).toBe(1); // the sample runs an L1 tier, filled by the miss
    expect(text).toMatch(/^cachekit_hits_total\{cache="product"\} 16$/m);
  });
});
