import { SingleBar } from 'cli-progress';
import type { Redis } from 'ioredis';
import { scanKeys } from '../redis/scan-keys.js';
import type { CliContext } from './cli-context.js';

/**
 * Scans every master for `pattern` (SCAN, never KEYS) and hands each batch to `each`, with a
 * progress bar on stderr. SCAN reports no position, so the bar counts keys examined against
 * DBSIZE: about COUNT keys per call, set to the total at the end.
 */
export async function scanWithProgress(
  ctx: CliContext,
  pattern: string,
  label: string,
  each: (keys: string[], node: Redis) => Promise<void>,
): Promise<{ matched: number }> {
  const sizes = await Promise.all(ctx.masters.map((node) => node.dbsize()));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const bar = new SingleBar({
    stream: ctx.io.err,
    format: `${label} [{bar}] {percentage}% | {value}/{total} keys examined | {matched} matched`,
    noTTYOutput: true,
    notTTYSchedule: 250,
    hideCursor: null,
  });
  bar.start(total, 0, { matched: 0 });
  let examined = 0;
  let matched = 0;
  try {
    for (const [i, node] of ctx.masters.entries()) {
      let nodeExamined = 0;
      for await (const keys of scanKeys(node, pattern, ctx.batch)) {
        await each(keys, node);
        matched += keys.length;
        nodeExamined = Math.min(nodeExamined + ctx.batch, sizes[i]);
        bar.update(Math.min(examined + nodeExamined, total), { matched });
      }
      examined += sizes[i];
      bar.update(Math.min(examined, total), { matched });
    }
    bar.update(total, { matched });
  } finally {
    bar.stop();
  }
  return { matched };
}
