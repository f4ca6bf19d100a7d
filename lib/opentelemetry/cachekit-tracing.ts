import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import type { Observable, Subscription } from 'rxjs';
import { CacheKit } from '../cachekit.service.js';
import type { CacheEvent } from '../observability/cache-event.interface.js';
import { ATTR, SPAN } from './cache-attributes.js';
import { hashKey } from './key-hash.js';
import type { ResolvedOpenTelemetryOptions } from './opentelemetry.options.js';

export const CACHEKIT_OPENTELEMETRY_OPTIONS = Symbol('CACHEKIT_OPENTELEMETRY_OPTIONS');

// A miss whose load ran on another instance sees no 'load' event here: its span ends at the next
// event for the key, or after this long, so a lost one never leaks.
const MISS_SPAN_MAX_MS = 60_000;

/** What `tracePostCommit` needs of an eviction event (the TypeORM bridge's `CacheEvictionEvent` fits). */
export interface PostCommitEvictionLike {
  dataSource: string;
  tags: readonly string[];
  /** Entries as `name:key`. */
  keys: readonly string[];
  outcome: string;
  attempts: number;
  /** From the COMMIT returning to this outcome, ms. */
  latencyMs: number;
}

interface PendingSpan {
  span: Span;
  started: number;
}

/**
 * Turns `CacheKit.events$` into OpenTelemetry spans: misses (until their load ends), loads,
 * background refreshes and evictions, with the cache name, outcome, a hashed key, the store and
 * the duration; a hit sets `cache.hit` on the caller's current span.
 * @example app.get(CacheKitTracing).tracePostCommit(app.get(CacheKitTypeOrm).events$)
 */
@Injectable()
export class CacheKitTracing implements OnModuleInit, OnModuleDestroy {
  readonly #tracer: Tracer;
  readonly #misses = new Map<string, PendingSpan[]>();
  readonly #refreshes = new Map<string, PendingSpan>();
  readonly #subscriptions: Subscription[] = [];
  #store = 'unknown';
  #sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(CacheKit) private readonly cacheKit: CacheKit,
    @Inject(CACHEKIT_OPENTELEMETRY_OPTIONS) private readonly options: ResolvedOpenTelemetryOptions,
  ) {
    this.#tracer = options.tracer ?? trace.getTracer(options.tracerName);
  }

  onModuleInit(): void {
    this.#store = this.cacheKit.storeStats().kind;
    this.#subscriptions.push(this.cacheKit.events$.subscribe((event) => this.#on(event)));
    this.#sweeper = setInterval(() => this.#sweep(), MISS_SPAN_MAX_MS / 4).unref();
  }

  onModuleDestroy(): void {
    for (const subscription of this.#subscriptions.splice(0)) subscription.unsubscribe();
    clearInterval(this.#sweeper);
    this.#sweep(Infinity);
  }

  /**
   * Adds a span per post-commit eviction of the TypeORM bridge (its `events$`), from the COMMIT to
   * its outcome. Unsubscribed when this module is destroyed.
   */
  tracePostCommit(events$: Observable<PostCommitEvictionLike>): void {
    this.#subscriptions.push(events$.subscribe((event) => this.#postCommit(event)));
  }

  #on(event: CacheEvent): void {
    switch (event.type) {
      case 'hit':
      case 'stale-hit':
        return this.#hit(event);
      case 'miss':
        return this.#miss(event);
      case 'load':
      case 'load-error':
        return this.#load(event);
      case 'refresh-start':
        return this.#refreshStart(event);
      case 'refresh-success':
      case 'refresh-error':
        return this.#refreshEnd(event);
      case 'evict':
        return this.#evict(event);
    }
  }

  #hit(event: CacheEvent): void {
    const stale = event.type === 'stale-hit';
    // The event is emitted inside the caller's call: the active span is the caller's.
    const current = trace.getActiveSpan();
    current?.setAttribute(ATTR.hit, true);
    if (stale) current?.setAttribute(ATTR.stale, true);
    if (this.#endMisses(event, 'hit')) return;
    if (!this.options.spanPerHit) return;
    this.#tracer.startSpan(SPAN.hit, { attributes: this.#attributes(event, stale ? 'stale-hit' : 'hit') }).end();
  }

  #miss(event: CacheEvent): void {
    trace.getActiveSpan()?.setAttribute(ATTR.hit, false);
    const span = this.#tracer.startSpan(SPAN.miss, { attributes: this.#attributes(event, 'miss') });
    const id = pendingId(event);
    const pending = this.#misses.get(id);
    if (pending) pending.push({ span, started: performance.now() });
    else this.#misses.set(id, [{ span, started: performance.now() }]);
  }

  #load(event: CacheEvent): void {
    const outcome = event.type === 'load' ? 'loaded' : 'error';
    const now = Date.now();
    const parent = this.#misses.get(pendingId(event))?.[0]?.span;
    const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
    const span = this.#tracer.startSpan(
      SPAN.load,
      { startTime: now - (event.durationMs ?? 0), attributes: this.#attributes(event, outcome, event.durationMs) },
      ctx,
    );
    if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: 'the loader threw' });
    span.end(now);
    this.#endMisses(event, outcome);
  }

  #refreshStart(event: CacheEvent): void {
    const span = this.#tracer.startSpan(SPAN.refresh, { attributes: this.#attributes(event, 'started') });
    this.#refreshes.get(pendingId(event))?.span.end();
    this.#refreshes.set(pendingId(event), { span, started: performance.now() });
  }

  #refreshEnd(event: CacheEvent): void {
    const id = pendingId(event);
    const pending = this.#refreshes.get(id);
    this.#refreshes.delete(id);
    const span = pending?.span ?? this.#tracer.startSpan(SPAN.refresh, { attributes: this.#attributes(event, '') });
    const outcome = event.type === 'refresh-success' ? 'refreshed' : 'error';
    span.setAttribute(ATTR.outcome, outcome);
    if (event.durationMs !== undefined) span.setAttribute(ATTR.durationMs, event.durationMs);
    if (outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason ?? 'refresh failed' });
    span.end();
  }

  #evict(event: CacheEvent): void {
    this.#tracer.startSpan(SPAN.evict, { attributes: this.#attributes(event, 'evicted') }).end();
  }

  #postCommit(event: PostCommitEvictionLike): void {
    const now = Date.now();
    const names = [...new Set(event.keys.map((key) => key.slice(0, key.indexOf(':'))))].sort();
    const span = this.#tracer.startSpan(SPAN.postCommit, {
      startTime: now - event.latencyMs,
      attributes: {
        [ATTR.name]: names,
        [ATTR.outcome]: event.outcome,
        [ATTR.store]: this.#store,
        [ATTR.durationMs]: event.latencyMs,
        [ATTR.keys]: event.keys.length,
        [ATTR.tags]: event.tags.length,
        [ATTR.attempts]: event.attempts,
        [ATTR.dataSource]: event.dataSource,
      },
    });
    if (event.outcome === 'dropped') span.setStatus({ code: SpanStatusCode.ERROR, message: 'eviction given up' });
    span.end(now);
  }

  // Ends every miss span waiting on this key; true when there was one.
  #endMisses(event: CacheEvent, outcome: string): boolean {
    const id = pendingId(event);
    const pending = this.#misses.get(id);
    if (!pending) return false;
    this.#misses.delete(id);
    for (const { span, started } of pending) {
      span.setAttribute(ATTR.outcome, `miss:${outcome}`);
      span.setAttribute(ATTR.durationMs, performance.now() - started);
      span.end();
    }
    return true;
  }

  #sweep(maxAgeMs = MISS_SPAN_MAX_MS): void {
    const now = performance.now();
    for (const [id, pending] of this.#misses) {
      if (now - pending[0].started < maxAgeMs && maxAgeMs !== Infinity) continue;
      this.#misses.delete(id);
      for (const { span } of pending) span.setAttribute(ATTR.outcome, 'miss:abandoned').end();
    }
    for (const [id, { span, started }] of this.#refreshes) {
      if (now - started < maxAgeMs && maxAgeMs !== Infinity) continue;
      this.#refreshes.delete(id);
      span.setAttribute(ATTR.outcome, 'abandoned').end();
    }
  }

  #attributes(event: CacheEvent, outcome: string, durationMs?: number): Attributes {
    return {
      [ATTR.name]: event.name,
      [ATTR.outcome]: outcome,
      [ATTR.store]: this.#store,
      ...(event.key === undefined ? {} : { [ATTR.keyHash]: hashKey(event.key, this.options.keyHashSalt) }),
      ...(durationMs === undefined ? {} : { [ATTR.durationMs]: durationMs }),
    };
  }
}

function pendingId(event: CacheEvent): string {
  return `${event.name}\0${event.key ?? ''}`;
}
