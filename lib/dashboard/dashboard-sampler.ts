import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Observable, Subject, Subscription } from 'rxjs';
import { CacheKit } from '../cachekit.service.js';
import type { CacheEvent, CacheStats, StoreStats } from '../observability/cache-event.interface.js';
import type { CacheReport } from '../observability/observability.interface.js';
import { LatencyWindow, Percentiles } from './latency-window.js';
import type { ResolvedDashboardOptions } from './dashboard.options.js';

export const CACHEKIT_DASHBOARD_OPTIONS = Symbol('CACHEKIT_DASHBOARD_OPTIONS');

/** One sample of the whole cache, as the page charts it. */
export interface DashboardSample {
  /** Epoch ms. */
  at: number;
  stats: Record<string, CacheStats & { hitRatio: number }>;
  store: StoreStats;
  /** Load durations per cache name over the last minute. */
  loadLatency: Record<string, Percentiles>;
  /** The latest `CacheKit.report()` (refreshed every `reportInterval`): the "does it pay" verdicts. */
  report?: CacheReport;
}

/** An eviction as the page lists it. */
export interface DashboardEviction {
  at: number;
  name: string;
  /** The key, or its short hash unless `showKeys`. */
  key?: string;
}

/** What the page's event stream carries. */
export type DashboardMessage =
  | { type: 'sample'; data: DashboardSample }
  | { type: 'evictions'; data: { evictions: DashboardEviction[]; dropped: number } };

const LATENCY_WINDOW_MS = 60_000;
// Evictions reach the page in batches: a mass eviction must not flood the browser.
const EVICTION_BATCH_MS = 250;
const EVICTIONS_PER_BATCH = 50;

/**
 * Samples `CacheKit.stats()` / `storeStats()` every interval (keeping a history for pages opened
 * later), keeps load-duration windows and batches evictions from `CacheKit.events$`, and streams
 * both to open pages.
 */
@Injectable()
export class DashboardSampler implements OnModuleInit, OnModuleDestroy {
  readonly #history: DashboardSample[] = [];
  readonly #latency = new Map<string, LatencyWindow>();
  readonly #messages = new Subject<DashboardMessage>();
  #recent: DashboardEviction[] = [];
  #pending: DashboardEviction[] = [];
  #dropped = 0;
  #report?: CacheReport;
  #reportAt = 0;
  #subscription?: Subscription;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(CacheKit) private readonly cacheKit: CacheKit,
    @Inject(CACHEKIT_DASHBOARD_OPTIONS) private readonly options: ResolvedDashboardOptions,
  ) {}

  /** Samples and evictions as they happen. */
  get messages$(): Observable<DashboardMessage> {
    return this.#messages.asObservable();
  }

  onModuleInit(): void {
    this.#subscription = this.cacheKit.events$.subscribe((event) => this.#on(event));
    this.#sample();
    this.#timers.push(setInterval(() => this.#sample(), this.options.sampleIntervalMs).unref());
    this.#timers.push(setInterval(() => this.#flushEvictions(), EVICTION_BATCH_MS).unref());
  }

  onModuleDestroy(): void {
    this.#subscription?.unsubscribe();
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    this.#messages.complete();
  }

  /** The samples kept and the latest evictions, for a page that just opened. */
  snapshot(): { intervalMs: number; samples: DashboardSample[]; evictions: DashboardEviction[] } {
    return { intervalMs: this.options.sampleIntervalMs, samples: [...this.#history], evictions: [...this.#recent] };
  }

  #on(event: CacheEvent): void {
    if (event.type === 'load' && event.durationMs !== undefined) {
      let window = this.#latency.get(event.name);
      if (!window) this.#latency.set(event.name, (window = new LatencyWindow(LATENCY_WINDOW_MS)));
      window.add(event.durationMs);
    } else if (event.type === 'evict') {
      if (this.#pending.length >= EVICTIONS_PER_BATCH) this.#dropped++;
      else this.#pending.push({ at: Date.now(), name: event.name, key: this.#showKey(event.key) });
    }
  }

  #sample(): void {
    const loadLatency: Record<string, Percentiles> = {};
    for (const [name, window] of this.#latency) {
      const percentiles = window.percentiles();
      if (percentiles) loadLatency[name] = percentiles;
    }
    const sample: DashboardSample = {
      at: Date.now(),
      stats: this.cacheKit.stats(),
      store: this.cacheKit.storeStats(),
      loadLatency,
      ...(this.#report === undefined ? {} : { report: this.#report }),
    };
    this.#refreshReport(sample.at);
    this.#history.push(sample);
    if (this.#history.length > this.options.history) this.#history.shift();
    this.#messages.next({ type: 'sample', data: sample });
  }

  // A report samples the store (SCAN, MEMORY USAGE): refreshed every reportInterval, never per sample.
  #refreshReport(now: number): void {
    if (now - this.#reportAt < this.options.reportIntervalMs) return;
    this.#reportAt = now;
    this.cacheKit.report().then(
      (value) => (this.#report = value),
      () => undefined, // the page keeps the last report; the cache itself reports its failures
    );
  }

  #flushEvictions(): void {
    if (this.#pending.length === 0 && this.#dropped === 0) return;
    const evictions = this.#pending;
    const dropped = this.#dropped;
    this.#pending = [];
    this.#dropped = 0;
    this.#recent = [...evictions.slice().reverse(), ...this.#recent].slice(0, EVICTIONS_PER_BATCH);
    this.#messages.next({ type: 'evictions', data: { evictions, dropped } });
  }

  #showKey(key: string | undefined): string | undefined {
    if (key === undefined || this.options.showKeys) return key;
    return `#${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  }
}
