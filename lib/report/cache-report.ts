import type { Cluster, Redis } from 'ioredis';
import type { CacheStatsRecorder } from '../observability/cache-stats.js';
import type {
  CacheNameReport,
  CacheReport,
  ReportOptions,
  StoreSample,
} from '../observability/observability.interface.js';
import { TAGS_NAME } from '../engine/eviction/evictor.js';
import { StoreSampleResult, sampleRedis } from './store-sampler.js';
import { SampleableMemoryStore, sampleMemory } from './memory-sampler.js';
import { span, verdict } from './verdict.js';
import { within } from '../timing/within.js';
import type { Totals, WindowSnapshots } from './window-snapshots.js';

const DEFAULTS = { maxScannedKeys: 10_000, sampleKeys: 50, timeBudgetMs: 500 };

/** Builds `CacheKit.report()`: the window's counters, a bounded look at the store, a verdict per cache. */
export class CacheReporter {
  constructor(
    private readonly stats: CacheStatsRecorder,
    private readonly window: WindowSnapshots,
    private readonly store: {
      kind: string;
      client?: Redis | Cluster;
      namespace: string;
      /** The embedded store, when there is no Redis. */
      memory?: SampleableMemoryStore;
    },
  ) {}

  async report(options: ReportOptions = {}): Promise<CacheReport> {
    const { coveredMs, byName } = this.window.window();
    const sampled = await this.#sample(options);
    const words = span(Math.min(Math.max(coveredMs, 1), this.window.windowMs));
    const caches: Record<string, CacheNameReport> = {};
    for (const [name, totals] of byName) {
      if (name.startsWith('~') && name !== '~raw') continue; // '~tags', '~store': not caches
      caches[name] = this.#nameReport(name, totals, sampled, words);
    }
    const tags = byName.get(TAGS_NAME);
    return {
      generatedAt: new Date().toISOString(),
      window: { ms: this.window.windowMs, coveredMs },
      store: sampled.sample,
      evictions: { tags: tags?.tags ?? 0, ormTags: tags?.orm ?? 0 },
      caches,
    };
  }

  #nameReport(name: string, totals: Totals, sampled: StoreSampleResult, words: string): CacheNameReport {
    const record = this.stats.record(name);
    const hits = totals.hits + totals.staleHits;
    const lookups = hits + totals.misses;
    const hitRatio = lookups === 0 ? 0 : hits / lookups;
    // A window without loads borrows the since-boot mean: hits still save what a load costs.
    const load = totals.loads > 0 ? { count: totals.loads, totalMs: totals.loadMs } : record.timings.load;
    const meanLoadMs = load.count > 0 ? load.totalMs / load.count : undefined;
    const savedMs = meanLoadMs === undefined ? undefined : hits * meanLoadMs;
    const meanStoreHitMs = totals.storeHits > 0 ? totals.storeHitMs / totals.storeHits : undefined;
    return {
      lookups,
      hits: totals.hits,
      staleHits: totals.staleHits,
      misses: totals.misses,
      loads: totals.loads,
      hitRatio,
      meanLoadMs,
      savedMs,
      spentMs: totals.spentMs,
      meanStoreHitMs,
      store: sampled.byName.get(name),
      evictions: { key: totals.evictedKeys, name: totals.clears, orm: totals.orm },
      audit: record.audit.snapshot(),
      verdict: verdict({
        lookups,
        hitRatio,
        meanLoadMs,
        meanStoreHitMs,
        savedMs,
        spentMs: totals.spentMs,
        span: words,
      }),
    };
  }

  async #sample(options: ReportOptions): Promise<StoreSampleResult> {
    const empty = (note: string, sampled = false): StoreSample => ({
      kind: this.store.kind,
      sampled,
      scannedKeys: 0,
      complete: false,
      masters: 0,
      durationMs: 0,
      note,
    });
    if (options.sampleStore === false) return { sample: empty('not sampled (sampleStore: false)'), byName: new Map() };
    const settings = { ...DEFAULTS, ...options };
    if (this.store.memory) return sampleMemory(this.store.memory, this.store.namespace, settings);
    if (!this.store.client)
      return { sample: empty(`the ${this.store.kind} store cannot be sampled`), byName: new Map() };
    try {
      // The budget stops the scan between batches; a store that stops answering is cut off here.
      const result = await within(
        sampleRedis(this.store.client, this.store.namespace, settings),
        settings.timeBudgetMs * 2,
      );
      return (
        result ?? { sample: empty(`sampling gave no answer within ${settings.timeBudgetMs * 2} ms`), byName: new Map() }
      );
    } catch (error) {
      return { sample: empty(`sampling failed: ${(error as Error).message}`), byName: new Map() };
    }
  }
}
