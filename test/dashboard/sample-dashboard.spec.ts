import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { bootSampleApp, SAMPLE_SETUPS } from '../fixtures/sample-app.fixture.js';

// The sample mounts the live page for development; NODE_ENV=production would leave it out.
describe('the sample mounts the live page', () => {
  let sample: Awaited<ReturnType<typeof bootSampleApp>> | undefined;
  afterEach(() => sample?.close());

  it('serves /cachekit and samples its caches', async () => {
    sample = await bootSampleApp(SAMPLE_SETUPS[0][1]());
    const api = () => request(sample!.app.getHttpServer());
    await api().get('/products/1').expect(200);
    const page = await api().get('/cachekit').expect(200);
    expect(page.text).toContain('<title>CacheKit</title>');
    await expect
      .poll(async () => Object.keys((await api().get('/cachekit/snapshot').expect(200)).body.samples.at(-1).stats), {
        timeout: 5_000,
      })
      .toContain('product');
  });
});
