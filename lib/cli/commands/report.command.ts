import { cliMessages } from '../cli.messages.js';
import type { CliContext } from '../cli-context.js';
import { readBeacons, table, totals } from './stats.command.js';

/** What the CLI reads of one cache name in `CacheKit.report()` (fields may be absent in other versions). */
interface NameReport {
  hitRatio?: number;
  savedMs?: number;
  spentMs?: number;
  store?: { entries?: number; bytes?: number };
  audit?: { mismatches?: number };
  verdict?: { kind?: string; reason?: string };
}

/**
 * `cachekit report`: each instance's `CacheKit.report()` ("does this cache pay?") as its beacon
 * carries it; instances of a version without it show their summed counters instead.
 */
export async function reportCommand(ctx: CliContext): Promise<void> {
  const snapshots = await readBeacons(ctx);
  const reports = snapshots
    .filter((s) => s.report !== undefined)
    .map((s) => ({ instance: s.instance, report: s.report }));
  if (reports.length > 0) {
    ctx.print(reports, () => reports.map((r) => `${r.instance}\n${verdictTable(r.report)}`).join('\n\n'));
    return;
  }
  const byName = totals(snapshots);
  const rows = Object.entries(byName).map(([name, s]) => [
    name,
    `${(s.hitRatio * 100).toFixed(1)}%`,
    String(s.hits + s.staleHits),
    String(s.loads),
  ]);
  ctx.print({ note: cliMessages.noReport(), totals: byName }, () =>
    [cliMessages.noReport(), '', table([['cache', 'hit ratio', 'hits', 'loads'], ...rows])].join('\n'),
  );
}

function verdictTable(report: unknown): string {
  const caches = (report as { caches?: Record<string, NameReport> }).caches;
  if (!caches) return JSON.stringify(report, null, 2);
  const show = (value: number | undefined, digits = 0) => (value === undefined ? '-' : value.toFixed(digits));
  const rows = Object.entries(caches)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, r]) => [
      name,
      r.verdict?.kind ?? '-',
      r.hitRatio === undefined ? '-' : `${(r.hitRatio * 100).toFixed(1)}%`,
      show(r.savedMs),
      show(r.spentMs),
      show(r.store?.entries),
      show(r.store?.bytes),
      show(r.audit?.mismatches),
      r.verdict?.reason ?? '',
    ]);
  const header = ['cache', 'verdict', 'hit ratio', 'saved ms', 'spent ms', 'entries', 'bytes', 'stale found', 'why'];
  return table([header, ...rows]);
}
