import { CanActivate, INestApplication, Injectable } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKitDashboardError, CacheKitDashboardModule } from '../../lib/dashboard/index.js';
import type { CacheKitDashboardModuleOptions, DashboardSample } from '../../lib/dashboard/index.js';
import { resolveDashboardOptions } from '../../lib/dashboard/dashboard.options.js';
import { uniqueNamespace } from '../support/app.js';
import { bootDashboardApp } from './dashboard-app.js';

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function boot(options: CacheKitDashboardModuleOptions) {
  const booted = await bootDashboardApp({ redis: inject('redisUrl'), namespace: uniqueNamespace() }, options);
  apps.push(booted.app);
  return booted;
}

@Injectable()
class HeaderGuard implements CanActivate {
  canActivate(context: import('@nestjs/common').ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-admin'] === 'yes';
  }
}

/** Reads server-sent events until `done` says it has what it needs (or the timeout). */
async function readEvents(url: string, done: (text: string) => boolean, timeoutMs = 5_000): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let text = '';
  try {
    const response = await fetch(url, { signal: abort.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += new TextDecoder().decode(value);
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return text;
}

describe('CacheKitDashboardModule', () => {
  it('mounts nothing unless enabled', async () => {
    const { url } = await boot({});
    expect((await fetch(`${url}/cachekit`)).status).toBe(404);
  });

  it('serves the page, uPlot from its package, and a snapshot of samples with load percentiles', async () => {
    const { url, catalogue } = await boot({ enabled: true, path: '/ops/cache', sampleInterval: 100 });
    await catalogue.product(1);
    await catalogue.product(1);
    await catalogue.product(2);
    const page = await fetch(`${url}/ops/cache`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="/ops/cache/page.js"');
    const uplot = await (await fetch(`${url}/ops/cache/uplot.js`)).text();
    expect(uplot).toContain('uPlot (v1.6.32)');
    await expect
      .poll(async () => {
        const { samples } = (await (await fetch(`${url}/ops/cache/snapshot`)).json()) as { samples: DashboardSample[] };
        return samples.at(-1)?.stats.product;
      })
      .toMatchObject({ hits: 1, misses: 2, loads: 2 });
    const { samples } = (await (await fetch(`${url}/ops/cache/snapshot`)).json()) as { samples: DashboardSample[] };
    const last = samples.at(-1)!;
    expect(last.store).toMatchObject({ kind: 'redis', breaker: { reads: 'closed', writes: 'closed' } });
    expect(last.loadLatency.product.count).toBe(2);
    expect(last.loadLatency.product.p50).toBeGreaterThanOrEqual(2);
  });

  it('streams samples and evictions as server-sent events, keys hashed unless showKeys', async () => {
    const hashed = await boot({ enabled: true, sampleInterval: 100 });
    const events = readEvents(`${hashed.url}/cachekit/events`, (text) => text.includes('event: evictions'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await hashed.catalogue.update(42);
    const text = await events;
    expect(text).toContain('event: sample');
    expect(text).toMatch(/"name":"product","key":"#[0-9a-f]{12}"/);
    expect(text).not.toContain('product:#42');

    const shown = await boot({ enabled: true, sampleInterval: 100, showKeys: true });
    const plain = readEvents(`${shown.url}/cachekit/events`, (t) => t.includes('event: evictions'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await shown.catalogue.update(42);
    expect(await plain).toContain(':product:#42}');
  });

  it('applies a guard: a Nest guard class or a predicate on the request', async () => {
    const withClass = await boot({ enabled: true, guard: HeaderGuard });
    expect((await fetch(`${withClass.url}/cachekit/snapshot`)).status).toBe(403);
    expect((await fetch(`${withClass.url}/cachekit/snapshot`, { headers: { 'x-admin': 'yes' } })).status).toBe(200);
    const withPredicate = await boot({
      enabled: true,
      guard: (request) => (request as { url: string }).url.includes('token=s3cret'),
    });
    expect((await fetch(`${withPredicate.url}/cachekit`)).status).toBe(403);
    expect((await fetch(`${withPredicate.url}/cachekit?token=s3cret`)).status).toBe(200);
  });

  it('refuses to open the page unguarded in production, and bad options, at boot', () => {
    expect(() => resolveDashboardOptions({ enabled: true }, 'production')).toThrow(CacheKitDashboardError);
    expect(() => resolveDashboardOptions({ enabled: true }, 'production')).toThrow(/no 'guard'/);
    expect(resolveDashboardOptions({ enabled: true, guard: 'none' }, 'production').enabled).toBe(true);
    expect(resolveDashboardOptions({}, 'production').enabled).toBe(false);
    expect(() => CacheKitDashboardModule.forRoot({ path: 'cachekit' })).toThrow(/option 'path'/);
    expect(() => CacheKitDashboardModule.forRoot({ sampleInterval: 10 })).toThrow(/sampleInterval/);
    expect(() => CacheKitDashboardModule.forRoot({ reportInterval: 500 })).toThrow(/option 'reportInterval'.*1 s/);
    expect(() => CacheKitDashboardModule.forRoot({ reportInterval: 'often' as never })).toThrow(/reportInterval/);
    expect(resolveDashboardOptions({ reportInterval: '30s' }).reportIntervalMs).toBe(30_000);
    expect(() => CacheKitDashboardModule.forRoot({ guard: 42 as never })).toThrow(/option 'guard'/);
  });
});
