import { Injectable, INestApplicationContext } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Subject } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheEvict, Cacheable, defineCache, StaleWhileRevalidate } from '../../lib/index.js';
import {
  CacheKitOpenTelemetryError,
  CacheKitOpenTelemetryModule,
  CacheKitTracing,
  hashKey,
} from '../../lib/opentelemetry/index.js';
import type { CacheKitOpenTelemetryModuleOptions, PostCommitEvictionLike } from '../../lib/opentelemetry/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { AlsContextManager } from './als-context-manager.js';

// A key that holds personal data: it must never reach a span.
const EMAIL = 'ada@example.com';
const userByEmail = defineCache({ name: 'user', key: (email: string) => email, ttl: '1m' });

@Injectable()
class UserService {
  loads = 0;
  failing = false;

  @Cacheable(userByEmail)
  async byEmail(email: string): Promise<{ email: string }> {
    this.loads++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.failing) throw new Error('database down');
    return { email };
  }

  @CacheEvict(userByEmail)
  async rename(email: string): Promise<void> {
    void email;
  }

  @StaleWhileRevalidate({ name: 'profile', key: (email: string) => email, fresh: 50, stale: 10_000, jitter: 0 })
  async profile(email: string): Promise<{ email: string; at: number }> {
    return { email, at: Date.now() };
  }
}

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
const contextManager = new AlsContextManager();
beforeAll(() => context.setGlobalContextManager(contextManager));
afterAll(() => context.disable());

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  exporter.reset();
});

async function boot(options: CacheKitOpenTelemetryModuleOptions = {}) {
  const app = await bootApp(
    { redis: inject('redisUrl'), namespace: uniqueNamespace() },
    {
      imports: [CacheKitOpenTelemetryModule.forRoot({ tracer, keyHashSalt: 'pepper', ...options })],
      providers: [UserService],
    },
  );
  apps.push(app);
  return { users: app.get(UserService), tracing: app.get(CacheKitTracing) };
}

/** Runs `fn` inside a span of the app's own (a request handler), and returns that span once ended. */
async function inRequest(fn: () => Promise<unknown>): Promise<ReadableSpan> {
  const span = tracer.startSpan('GET /users');
  await context.with(trace.setSpan(context.active(), span), fn);
  span.end();
  return exporter
    .getFinishedSpans()
    .find((s) => s.name === 'GET /users' && s.spanContext().spanId === span.spanContext().spanId)!;
}

const named = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

describe('CacheKitOpenTelemetryModule', () => {
  it('traces a miss and its load (child of the miss, under the request), then a hit only as cache.hit', async () => {
    const { users } = await boot();
    const missRequest = await inRequest(() => users.byEmail(EMAIL));
    const [miss] = named('cache.miss');
    const [load] = named('cache.load');
    expect(miss.attributes).toMatchObject({
      'cache.name': 'user',
      'cache.outcome': 'miss:loaded',
      'cache.store': 'redis',
      'cache.key_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(miss.parentSpanContext?.spanId).toBe(missRequest.spanContext().spanId);
    expect(load.parentSpanContext?.spanId).toBe(miss.spanContext().spanId);
    expect(load.attributes).toMatchObject({ 'cache.name': 'user', 'cache.outcome': 'loaded' });
    expect(load.attributes['cache.duration_ms']).toBeGreaterThanOrEqual(15);
    expect(load.attributes['cache.key_hash']).toBe(miss.attributes['cache.key_hash']);
    expect(missRequest.attributes['cache.hit']).toBe(false);

    const before = exporter.getFinishedSpans().length;
    const hitRequest = await inRequest(() => users.byEmail(EMAIL));
    expect(hitRequest.attributes['cache.hit']).toBe(true);
    // Only the request span itself was added: no span per hit by default.
    expect(exporter.getFinishedSpans().length).toBe(before + 1);
    expect(users.loads).toBe(1);
  });

  it('never puts the raw key on a span: the salted hash only', async () => {
    const { users } = await boot();
    await inRequest(() => users.byEmail(EMAIL));
    await inRequest(() => users.rename(EMAIL));
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThanOrEqual(4);
    for (const span of spans) expect(JSON.stringify([span.name, span.attributes])).not.toMatch(/ada@|example\.com/);
    const hashes = new Set(spans.map((s) => s.attributes['cache.key_hash']).filter(Boolean));
    expect(hashes.size).toBe(1);
    const [hash] = hashes;
    expect(hash).not.toBe(hashKey(`user:${EMAIL}`, ''));
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('traces evictions, failed loads (error status) and background refreshes', async () => {
    const { users } = await boot();
    await users.rename(EMAIL);
    expect(named('cache.evict')[0].attributes).toMatchObject({ 'cache.name': 'user', 'cache.outcome': 'evicted' });

    users.failing = true;
    await expect(users.byEmail('x@example.com')).rejects.toThrow('database down');
    const [failed] = named('cache.load');
    expect(failed.attributes['cache.outcome']).toBe('error');
    expect(failed.status.code).toBe(2);
    expect(named('cache.miss')[0].attributes['cache.outcome']).toBe('miss:error');

    await users.profile(EMAIL);
    await new Promise((resolve) => setTimeout(resolve, 80)); // past fresh: the next read refreshes
    await users.profile(EMAIL);
    await expect.poll(() => named('cache.refresh').length, { timeout: 5_000 }).toBe(1);
    expect(named('cache.refresh')[0].attributes).toMatchObject({
      'cache.name': 'profile',
      'cache.outcome': 'refreshed',
    });
  });

  it('makes a span per hit when asked', async () => {
    const { users } = await boot({ spanPerHit: true });
    await users.byEmail(EMAIL);
    await users.byEmail(EMAIL);
    await users.byEmail(EMAIL);
    expect(named('cache.hit').map((span) => span.attributes['cache.outcome'])).toEqual(['hit', 'hit']);
  });

  it('traces post-commit evictions from a bridge event stream, from the commit to the outcome', async () => {
    const { tracing } = await boot();
    const events$ = new Subject<PostCommitEvictionLike>();
    tracing.tracePostCommit(events$);
    events$.next({
      dataSource: 'default',
      tags: ['product:7', 'category:3'],
      keys: ['product:#7', 'product.list:#3'],
      outcome: 'evicted',
      attempts: 1,
      latencyMs: 12,
    });
    const [span] = named('cache.post_commit_evict');
    expect(span.attributes).toMatchObject({
      'cache.name': ['product', 'product.list'],
      'cache.outcome': 'evicted',
      'cache.evicted_keys': 2,
      'cache.evicted_tags': 2,
      'cache.data_source': 'default',
    });
    const durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(11);
  });

  it('refuses bad options at boot, naming them', () => {
    expect(() => CacheKitOpenTelemetryModule.forRoot({ tracerName: '' })).toThrow(CacheKitOpenTelemetryError);
    expect(() => CacheKitOpenTelemetryModule.forRoot({ tracer: {} as never })).toThrow(/option 'tracer'/);
  });
});
