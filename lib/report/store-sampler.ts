import type { Cluster, Redis } from 'ioredis';
import { entryKeyPrefix } from '../keys/key-layout.js';
import { mastersOf, scanKeys } from '../redis/scan-keys.js';
import type { NameStoreSample, ReportOptions, StoreSample } from '../observability/observability.interface.js';

/** What a store sample found: the whole store, and per cache name. */
export interface StoreSampleResult {
  sample: StoreSample;
  byName: Map<string, NameStoreSample>;
}

interface NameTally {
  seen: number;
  keys: string[];
}

const SCAN_BATCH = 500;
const MINUTE = 60_000;

/**
 * Looks at the store within a budget: SCAN (never KEYS) through at most `maxScannedKeys` keys per
 * master, counting entries per cache name, then `MEMORY USAGE` and `PTTL` of a few keys per name in
 * one pipeline per master, and `evicted_keys` from INFO. A scan cut short extrapolates from the part
 * scanned by DBSIZE.
 */
export async function sampleRedis(
  client: Redis | Cluster,
  namespace: string,
  options: Required<Pick<ReportOptions, 'maxScannedKeys' | 'sampleKeys' | 'timeBudgetMs'>>,
): Promise<StoreSampleResult> {
  const started = performance.now();
  const deadline = started + options.timeBudgetMs;
  // `{ns:` of `{ns:name:`: every entry key of the namespace, whatever its name.
  const prefix = entryKeyPrefix(namespace, '').slice(0, -1);
  const tallies = new Map<string, NameTally>();
  const sizes = new Map<string, { bytes: number[]; ttls: number[] }>();
  const masters = mastersOf(client);
  let scannedKeys = 0;
  let complete = true;
  let evicted = 0;

  let total = 0;
  let totalScanned = 0;
  for (const node of masters) {
    const mine = new Map<string, NameTally>();
    let scanned = 0;
    let done = true;
    for await (const keys of scanKeys(node, '*', SCAN_BATCH)) {
      scanned += keys.length;
      for (const key of keys) {
        const name = entryName(key, prefix);
        if (name === undefined) continue;
        let tally = mine.get(name);
        if (!tally) mine.set(name, (tally = { seen: 0, keys: [] }));
        tally.seen++;
        if (tally.keys.length < options.sampleKeys) tally.keys.push(key);
      }
      if (scanned >= options.maxScannedKeys || performance.now() > deadline) {
        done = false;
        break;
      }
    }
    const size = Number(await node.dbsize());
    evicted += Number(/evicted_keys:(\d+)/.exec(await node.info('stats'))?.[1] ?? 0);
    // A master scanned in part counts for its whole size, in proportion.
    const factor = done || scanned === 0 ? 1 : size / scanned;
    for (const [name, tally] of mine) {
      const into = tallies.get(name) ?? { seen: 0, keys: [] };
      into.seen += tally.seen * factor;
      into.keys.push(...tally.keys.slice(0, options.sampleKeys - into.keys.length));
      tallies.set(name, into);
    }
    await measure(
      node,
      [...mine.values()].flatMap((tally) => tally.keys),
      sizes,
      prefix,
    );
    scannedKeys += scanned;
    complete &&= done;
    total += size;
    totalScanned += scanned;
  }
  const scale = totalScanned === 0 ? 1 : total / totalScanned;
  const byName = new Map<string, NameStoreSample>();
  for (const [name, tally] of tallies) {
    const { bytes = [], ttls = [] } = sizes.get(name) ?? {};
    const meanBytes = bytes.length === 0 ? 0 : bytes.reduce((a, b) => a + b, 0) / bytes.length;
    const entries = Math.round(tally.seen);
    byName.set(name, { entries, bytes: Math.round(entries * meanBytes), sampledKeys: bytes.length, ttl: ttlOf(ttls) });
  }
  return {
    sample: {
      kind: 'redis',
      sampled: true,
      scannedKeys,
      complete,
      masters: masters.length,
      durationMs: performance.now() - started,
      redisEvictedKeys: evicted,
      ...(complete ? {} : { note: `scan stopped early: counts extrapolated (x${scale.toFixed(1)})` }),
    },
    byName,
  };
}

/** The cache name of an entry key `{ns:name:parts}`; undefined for leases, tags and anything else. */
export function entryName(key: string, prefix: string): string | undefined {
  if (!key.startsWith(prefix) || !key.endsWith('}')) return undefined;
  const end = key.indexOf(':', prefix.length);
  if (end < 0) return undefined;
  const name = key.slice(prefix.length, end);
  return name.startsWith('~') && name !== '~raw' ? undefined : name;
}

async function measure(
  node: Redis,
  keys: string[],
  into: Map<string, { bytes: number[]; ttls: number[] }>,
  prefix: string,
): Promise<void> {
  if (keys.length === 0) return;
  const pipeline = node.pipeline();
  for (const key of keys) pipeline.call('MEMORY', 'USAGE', key).pttl(key);
  const replies = (await pipeline.exec()) ?? [];
  keys.forEach((key, i) => {
    const [bytesError, bytes] = replies[2 * i] ?? [];
    const [ttlError, ttl] = replies[2 * i + 1] ?? [];
    if (bytesError || ttlError || typeof bytes !== 'number' || typeof ttl !== 'number' || ttl < 0) return;
    const name = entryName(key, prefix)!;
    const sizes = into.get(name) ?? { bytes: [], ttls: [] };
    sizes.bytes.push(bytes);
    sizes.ttls.push(ttl);
    into.set(name, sizes);
  });
}

/** Bucket counts and quantiles of remaining TTLs (ms). */
export function ttlOf(ttls: number[]): NameStoreSample['ttl'] {
  const sorted = [...ttls].sort((a, b) => a - b);
  const count = (low: number, high: number) => sorted.filter((ttl) => ttl >= low && ttl < high).length;
  return {
    under1m: count(0, MINUTE),
    under10m: count(MINUTE, 10 * MINUTE),
    under1h: count(10 * MINUTE, 60 * MINUTE),
    under1d: count(60 * MINUTE, 24 * 60 * MINUTE),
    longer: count(24 * 60 * MINUTE, Infinity),
    p50Ms: sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!,
    maxMs: sorted.at(-1) ?? 0,
  };
}
