import { readFileSync } from 'node:fs';
import { settle } from './measure.js';

/**
 * CPU time of this thread so far, µs: Linux's /proc/thread-self/schedstat (ns on the CPU), else the
 * whole process's. The thread's own is what a block costs: the process's also bills the collector's
 * background threads, still sweeping after the previous group's collection, to whichever block runs.
 */
function threadCpuUs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e3;
  } catch {
    const used = process.cpuUsage();
    return used.user + used.system;
  }
}

/** What one block cost: CPU time of the main thread and wall time, µs. */
interface BlockCost {
  cpuUs: number;
  wallUs: number;
}

/** Per-group ratios `a / b - 1` of CPU time and of wall time, in the order the groups ran. */
export interface PairedRatios {
  cpu: number[];
  wall: number[];
}

async function timeBlock(block: () => Promise<void>): Promise<BlockCost> {
  const cpu = threadCpuUs();
  const wall = process.hrtime.bigint();
  await block();
  const wallUs = Number(process.hrtime.bigint() - wall) / 1e3;
  return { cpuUs: threadCpuUs() - cpu, wallUs };
}

/**
 * Times `a` and `b` in short blocks of equal work, interleaved A B B A (and B A A B in every other
 * group), so drift of the machine within a group (other processes, a busy sibling core) falls on
 * both sides alike; each group gives one ratio of the two sides' sums. Garbage is collected before
 * each group (a full collection takes longer than a block); within one, a side's garbage is as
 * likely collected in the other's block as in its own. One warm-up group is not kept.
 */
export async function pairedBlocks(
  a: () => Promise<void>,
  b: () => Promise<void>,
  groups: number,
): Promise<PairedRatios> {
  const out: PairedRatios = { cpu: [], wall: [] };
  for (let group = -1; group < groups; group++) {
    settle();
    const order = group % 2 === 0 ? [a, b, b, a] : [b, a, a, b];
    const sums = new Map([
      [a, { cpuUs: 0, wallUs: 0 }],
      [b, { cpuUs: 0, wallUs: 0 }],
    ]);
    for (const side of order) {
      const cost = await timeBlock(side);
      const sum = sums.get(side)!;
      sum.cpuUs += cost.cpuUs;
      sum.wallUs += cost.wallUs;
    }
    if (group < 0) continue;
    const sa = sums.get(a)!;
    const sb = sums.get(b)!;
    out.cpu.push(sa.cpuUs / sb.cpuUs - 1);
    out.wall.push(sa.wallUs / sb.wallUs - 1);
  }
  return out;
}

/** The median and the quartiles of some numbers (NaN when there are none). */
export function quartiles(values: readonly number[]): { q1: number; median: number; q3: number } {
  const sorted = [...values].sort((x, y) => x - y);
  // Linear interpolation between ranks: stable for the few dozen groups a run has.
  const at = (q: number) => {
    if (sorted.length === 0) return NaN;
    const rank = q * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.min(sorted.length - 1, low + 1);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
  };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75) };
}
