import { cliMessages } from '../cli.messages.js';
import type { CliContext } from '../cli-context.js';
import { readBeacons, table, totals } from './stats.command.js';

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
    ctx.print(reports, () => reports.map((r) => `${r.instance}\n${JSON.stringify(r.report, null, 2)}`).join('\n\n'));
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
