import { entryKeyPrefix } from '../keys/key-layout.js';
import type { NameStoreSample, ReportOptions } from '../observability/observability.interface.js';
import { StoreSampleResult, entryName, ttlOf } from './store-sampler.js';

/** What the embedded memory store lets report() look at (`MemoryEntryStore`). */
export interface SampleableMemoryStore {
  /** Entries held, fences of running loads included: what a scan cut short extrapolates to. */
  readonly size: number;
  /** Stored entries with their payload's bytes and remaining TTL, without touching their recency. */
  storedEntries(): Iterable<{ key: string; bytes: number; ttlMs: number }>;
}

/**
 * Looks at the memory store within the same budget as Redis: at most `maxScannedKeys` entries,
 * every one of them measured (a payload's length costs nothing to read, unlike `MEMORY USAGE`).
 * Bytes are the payloads' (the encoded values), not the process's overhead per entry.
 */
export function sampleMemory(
  store: SampleableMemoryStore,
  namespace: string,
  options: Required<Pick<ReportOptions, 'maxScannedKeys' | 'timeBudgetMs'>>,
): StoreSampleResult {
  const started = performance.now();
  const deadline = started + options.timeBudgetMs;
  const prefix = entryKeyPrefix(namespace, '').slice(0, -1);
  const byName = new Map<string, { bytes: number; ttls: number[] }>();
  let scannedKeys = 0;
  let complete = true;
  for (const { key, bytes, ttlMs } of store.storedEntries()) {
    // Checked before each entry, and the clock only every 256: the loop holds the event loop.
    if (scannedKeys >= options.maxScannedKeys || (scannedKeys % 256 === 255 && performance.now() > deadline)) {
      complete = false;
      break;
    }
    scannedKeys++;
    const name = entryName(key, prefix);
    if (name === undefined) continue;
    let tally = byName.get(name);
    if (!tally) byName.set(name, (tally = { bytes: 0, ttls: [] }));
    tally.bytes += bytes;
    tally.ttls.push(ttlMs);
  }
  const scale = complete || scannedKeys === 0 ? 1 : store.size / scannedKeys;
  const names = new Map<string, NameStoreSample>();
  for (const [name, { bytes, ttls }] of byName)
    names.set(name, {
      entries: Math.round(ttls.length * scale),
      bytes: Math.round(bytes * scale),
      sampledKeys: ttls.length,
      ttl: ttlOf(ttls),
    });
  return {
    sample: {
      kind: 'memory',
      sampled: true,
      scannedKeys,
      complete,
      masters: 1,
      durationMs: performance.now() - started,
      ...(complete ? {} : { note: `scan stopped early: counts extrapolated (x${scale.toFixed(1)})` }),
    },
    byName: names,
  };
}
