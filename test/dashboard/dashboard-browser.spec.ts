// The live page in a real headless Chromium (Debian's `chromium`, driven by playwright-core).
// `npm test` installs chromium when it runs as root; elsewhere this file skips, saying why.
import { INestApplication } from '@nestjs/common';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheKit } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { FaultProxy, faults, startFaultProxyProcess } from '../support/fault-proxy.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { bootDashboardApp, CatalogueService } from './dashboard-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, '.tmp', 'artifacts');
const available = existsSync(CHROMIUM);
if (!available)
  console.warn(
    `dashboard browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`,
  );

describe.skipIf(!available)('the live page in headless Chromium', () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  let app: INestApplication;
  let url: string;
  let catalogue: CatalogueService;
  let browser: Browser;
  let page: Page;
  let traffic = true;
  const pageErrors: string[] = [];
  let running: Promise<void>;

  beforeAll(async () => {
    server = await startRedisServer();
    // Redis 4 ms away: a search answered in microseconds is then clearly faster than a store hit,
    // even when a busy machine pauses a load now and then; a 200 ms product query still pays.
    proxy = await startFaultProxyProcess({ target: { port: Number(new URL(server.url).port) } });
    await proxy.set(faults.latency(4), { direction: 'down' });
    ({ app, url, catalogue } = await bootDashboardApp(
      {
        redis: proxy.url,
        namespace: uniqueNamespace(),
        // Short enough for a freeze to open the breaker within a second; long enough that a busy
        // machine (a full parallel run: the page, Chromium and the report's sampling) does not open it.
        operationTimeout: 250,
        breaker: { failures: 3, cooldown: '60s' },
      },
      // Verdicts from the real report(), refreshed often enough for the test to see them.
      { enabled: true, sampleInterval: 250, reportInterval: '1s' },
    ));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a container: Chromium's sandbox needs user namespaces it may not get.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1480, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    running = drive();
  }, 60_000);

  afterAll(async () => {
    traffic = false;
    server?.thaw();
    await running;
    await browser?.close();
    await app?.close();
    await proxy?.stop();
    await server?.stop();
  });

  // Mostly hits on a few hot products, some misses, a search cache and an update now and then.
  async function drive(): Promise<void> {
    let i = 0;
    while (traffic) {
      i++;
      await Promise.all([catalogue.product(i % 8), catalogue.product(100 + (i % 20)), catalogue.search(`q${i % 3}`)]);
      if (i % 10 === 0) await catalogue.update(i % 8);
      if (i % 25 === 0) await catalogue.reindex();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const cellOf = (cache: string, column: number) => page.locator(`#cache-${cache} td:nth-child(${column})`);
  const chartPoints = () =>
    page.evaluate(() => (globalThis as any).cachekitDashboard.charts.hitRatio?.data[0].length ?? 0);

  it('shows the caches, and traffic makes the numbers, the charts and the eviction list move', async () => {
    await page.goto(`${url}/cachekit`);
    await expect
      .poll(async () => [pageErrors, await page.textContent('#connection')], { timeout: 10_000 })
      .toEqual([[], 'live']);
    await expect
      .poll(async () => Number(await cellOf('product', 2).textContent()), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const hits = Number(await cellOf('product', 2).textContent());
    const points = await chartPoints();
    await expect
      .poll(async () => Number(await cellOf('product', 2).textContent()), { timeout: 10_000 })
      .toBeGreaterThan(hits);
    await expect.poll(chartPoints, { timeout: 10_000 }).toBeGreaterThan(points);
    expect(await page.textContent('#cache-search td:first-child')).toBe('search');
    expect(await cellOf('product', 9).textContent()).toMatch(/^\d+\.\d%$/); // hit ratio over all reads
    // Load percentiles, in ms to two decimals (a sub-0.1 ms loader's p99 is a bucket bound, 0.1008...).
    const twoDecimals = /^\d+(\.\d{1,2})? \/ \d+(\.\d{1,2})? \/ \d+(\.\d{1,2})?$/;
    expect(await cellOf('product', 11).textContent()).toMatch(twoDecimals);
    expect(await cellOf('search', 11).textContent()).toMatch(twoDecimals);
    await expect.poll(() => page.locator('#evictions li').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // Keys are hashed unless showKeys: an eviction line names the cache and a hash.
    expect(await page.locator('#evictions li').first().textContent()).toMatch(/product {2}#[0-9a-f]{12}$/);
    expect(await page.textContent('#breaker-reads')).toBe('closed');
    expect(await page.textContent('#store-kind')).toBe('redis');
    // The real report(): hot products with a 200 ms loader pay; a search answered in microseconds costs
    // more than the Redis round trip that replaces it. Lookups need a few refreshes to pass 20.
    await expect
      .poll(() => page.textContent('#verdict-product'), { timeout: 15_000 })
      .toMatch(/^product: pays, hit ratio \d+% over \d+ s: hits saved .+ of origin time for .+ in the cache$/);
    await expect
      .poll(() => page.textContent('#verdict-search'), { timeout: 15_000 })
      .toMatch(/^search: costs, mean load [\d.]+ ms is faster than a Redis round trip/);
    expect(await page.getAttribute('#verdict-search', 'class')).toBe('verdict costs');
    expect(await page.getAttribute('#verdict-product', 'class')).toBe('verdict pays');
    // What the page shows is what the app's own report() says.
    const report = await app.get(CacheKit).report({ sampleStore: false });
    expect(report.caches.product!.verdict.kind).toBe('pays');
    expect(report.caches.search!.verdict.kind).toBe('costs');
    await page.locator('canvas').first().waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      // The README's picture: a little more history on the charts.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      await page.screenshot({ path: join(ROOT, 'docs', 'images', 'dashboard.png'), fullPage: true });
    }
  }, 60_000);

  it('shows the breaker open while Redis is frozen', async () => {
    server.freeze();
    await expect.poll(() => page.textContent('#breaker-reads'), { timeout: 20_000 }).toBe('open');
    expect(await page.getAttribute('#breaker-reads', 'class')).toBe('open');
    await expect.poll(() => page.textContent('#last-failure'), { timeout: 5_000 }).toMatch(/TIMEOUT/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-breaker-open.png'), fullPage: true });
    server.thaw();
  }, 60_000);
});
