import { beaconKeyPattern } from '../../keys/key-layout.js';
import type { CacheStats } from '../../observability/cache-event.interface.js';
import type { BeaconSnapshot } from '../../observability/stats-beacon.js';
import { CacheKitCliError } from '../cli.errors.js';
import { cliMessages } from '../cli.messages.js';
import type { CliContext } from '../cli-context.js';
import { scanWithProgress } from '../scan-progress.js';

type NamedStats = CacheStats & { hitRatio: number };

/** Of `stats().latency` (where the core has it), what the table shows: p99 per outcome, ms. */
interface LatencyLike {
  storeHit?: { count: number; p99Ms: number };
  l1Hit?: { count: number; p99Ms: number };
  miss?: { count: number; p99Ms: number };
}

/** Every running instance's beacon (SCAN of `{ns:~beacon:*`), newest first. */
export async function readBeacons(ctx: CliContext): Promise<BeaconSnapshot[]> {
  const snapshots: BeaconSnapshot[] = [];
  await scanWithProgress(ctx, beaconKeyPattern(ctx.namespace), 'beacons', async (keys, node) => {
    const values = await Promise.all(keys.map((key) => node.get(key)));
    for (const value of values) {
      try {
        if (value) snapshots.push(JSON.parse(value) as BeaconSnapshot);
      } catch {
        // A beacon half-written by a crashing instance: skipped, it expires by itself.
      }
    }
  });
  if (snapshots.length === 0) throw new CacheKitCliError(cliMessages.noBeacons(ctx.namespace));
  return snapshots.sort((a, b) => a.instance.localeCompare(b.instance));
}

/** Counters summed over instances, per cache name, with the hit ratio of the sum. */
export function totals(snapshots: readonly BeaconSnapshot[]): Record<string, NamedStats> {
  const sum: Record<string, NamedStats> = {};
  for (const snapshot of snapshots) {
    for (const [name, stats] of Object.entries(snapshot.stats)) {
      const into = (sum[name] ??= { ...zero(stats), hitRatio: 0 });
      // Counters add up; nested parts (latency, audit in later versions) do not.
      for (const field of Object.keys(stats) as (keyof NamedStats)[])
        if (field !== 'hitRatio' && typeof stats[field] === 'number') into[field] = (into[field] ?? 0) + stats[field];
    }
  }
  for (const stats of Object.values(sum)) {
    const reads = stats.hits + stats.staleHits + stats.misses;
    stats.hitRatio = reads === 0 ? 0 : (stats.hits + stats.staleHits) / reads;
  }
  return sum;
}

/** `cachekit stats`: per cache name summed over the running instances, and each instance's store state. */
export async function statsCommand(ctx: CliContext): Promise<void> {
  const snapshots = await readBeacons(ctx);
  const byName = totals(snapshots);
  ctx.print({ instances: snapshots, totals: byName }, () => statsTable(snapshots, byName));
}

function statsTable(snapshots: readonly BeaconSnapshot[], byName: Record<string, NamedStats>): string {
  const rows = Object.entries(byName)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) =>
      [
        name,
        s.hits,
        s.staleHits,
        s.misses,
        s.loads,
        s.loadErrors,
        s.evictions,
        s.storeErrors,
        `${(s.hitRatio * 100).toFixed(1)}%`,
        worstP99(snapshots, name, 'l1Hit'),
        worstP99(snapshots, name, 'storeHit'),
        worstP99(snapshots, name, 'miss'),
      ].map(String),
    );
  const header = ['cache', 'hits', 'stale', 'misses', 'loads', 'load err', 'evictions', 'store err', 'hit ratio'];
  header.push('l1 hit p99 ms', 'store hit p99 ms', 'miss p99 ms');
  const instances = snapshots.map(
    (s) =>
      `${s.instance} (pid ${s.pid}, ${s.at}): store ${s.store.kind}, breaker reads ${s.store.breaker.reads} / writes ${s.store.breaker.writes}, ${s.store.pendingEvictions} eviction(s) pending`,
  );
  return [table([header, ...rows]), '', `${snapshots.length} instance(s):`, ...instances].join('\n');
}

/** Columns padded to their widest cell. */
export function table(rows: readonly string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function zero(stats: CacheStats): CacheStats {
  const numeric = Object.entries(stats).filter(([, value]) => typeof value === 'number');
  return Object.fromEntries(numeric.map(([field]) => [field, 0])) as unknown as CacheStats;
}

/** The worst p99 of one outcome over the instances (percentiles do not add up), or '-'. */
function worstP99(snapshots: readonly BeaconSnapshot[], name: string, outcome: keyof LatencyLike): string {
  const p99s = snapshots
    .map((s) => (s.stats[name] as { latency?: LatencyLike } | undefined)?.latency?.[outcome])
    .filter((summary) => summary !== undefined && summary.count > 0)
    .map((summary) => summary!.p99Ms);
  return p99s.length === 0 ? '-' : String(Math.round(Math.max(...p99s) * 100) / 100);
}
