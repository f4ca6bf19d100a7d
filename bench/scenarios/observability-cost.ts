import { Shares, attribute, mergeShares, profileWhile } from '../support/cpu-profile.js';
import { settle } from '../support/measure.js';
import { OBSERVABILITY } from '../support/observability-attribution.js';
import { App, TierName, openObservedApp } from '../support/observed-app.js';
import { pairedBlocks, quartiles } from '../support/paired-blocks.js';
import { Cell, Column, Table } from '../support/table.js';

export interface ObservabilityCostSettings {
  /** How long each app is profiled per round, ms. */
  profileMs: number;
  /** Rounds of profiling; each round profiles every app once, so drift of the machine spreads over all rows. */
  rounds: number;
  /** Microseconds between two profile samples. */
  intervalUs: number;
  /** Paired A/B groups (four blocks each) per tier and comparison; 0 leaves the A/B table out. */
  groups: number;
  /** Hits per A/B block, by tier: some tens of ms of work each. */
  blockOps: Record<TierName, number>;
  concurrency: number;
  prefix: string;
  redisUrl: string;
}

/** Targets from the issue: what the latency histograms may add to a hit, as a share of it. */
const TARGETS: Record<TierName, number> = { 'L1 hit': 0.1, 'Redis hit': 0.03 };
const NO_TIMING = 2 ** 31 - 1;
const SAMPLINGS = [1, 16, NO_TIMING];
const TIERS = ['L1 hit', 'Redis hit'] as const;

interface ProfileRow {
  tier: TierName;
  sampling: number;
  ops: number;
  /** One per round, merged by `total`. */
  rounds: Shares[];
}

const total = (rounds: Shares[]) => rounds.reduce<Shares | undefined>(mergeShares, undefined)!;
const share = (shares: Shares, ...labels: string[]) =>
  labels.reduce((sum, label) => sum + (shares.byLabel.get(label) ?? 0), 0) / shares.busy;

/**
 * How much more a hit costs in `timed` than in `untimed`, from the reference code's share of each
 * (the same work per hit in both), with a 95% interval from the binomial counts.
 */
function overhead(timed: Shares, untimed: Shares): { value: number; low: number; high: number } {
  const pt = timed.reference / timed.busy;
  const pu = untimed.reference / untimed.busy;
  const se = Math.sqrt((1 - pt) / timed.reference + (1 - pu) / untimed.reference);
  const ratio = pu / pt;
  return { value: ratio - 1, low: ratio * Math.exp(-1.96 * se) - 1, high: ratio * Math.exp(1.96 * se) - 1 };
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

const cpuUs = (row: ProfileRow) => {
  const shares = total(row.rounds);
  return (shares.busy * shares.intervalUs) / row.ops;
};

/**
 * What one timed lookup costs, all in, where that is resolved best: the L1 rows (cost at
 * latencySampling 1 over none, times an untimed L1 hit's CPU). The same code times a Redis hit.
 */
function perTimedLookupUs(rows: ProfileRow[]): number | undefined {
  const timed = rows.find((row) => row.tier === 'L1 hit' && row.sampling === 1);
  const untimed = rows.find((row) => row.tier === 'L1 hit' && row.sampling === NO_TIMING);
  if (!timed || !untimed) return undefined;
  return overhead(total(timed.rounds), total(untimed.rounds)).value * cpuUs(untimed);
}

function profileTable(rows: ProfileRow[], settings: ObservabilityCostSettings): Table {
  const columns: Column[] = [
    { title: 'hit', format: 'text' },
    { title: 'latencySampling', format: 'text' },
    { title: 'hits/s', format: 'ops' },
    { title: 'CPU µs per hit', format: 'us' },
    { title: 'busy samples', format: 'int' },
    { title: 'reference %', format: 'us' },
    { title: 'cost vs none timed', format: 'text' },
    { title: '95% interval', format: 'text' },
    { title: 'estimate from L1 µs', format: 'text' },
    { title: 'target', format: 'text' },
    { title: 'booked: timing %', format: 'us' },
    { title: 'of which clock %', format: 'us' },
    { title: 'booked: counters %', format: 'us' },
  ];
  const lookupUs = perTimedLookupUs(rows);
  const cells: Cell[][] = [];
  const places: string[] = [];
  for (const row of rows) {
    const shares = total(row.rounds);
    const untimed = rows.find((other) => other.tier === row.tier && other.sampling === NO_TIMING)!;
    // The none-timed row against itself, its even rounds against its odd ones: what the method reads when there is nothing to find.
    const control = row.sampling === NO_TIMING;
    const [a, b] = control
      ? [total(row.rounds.filter((_, i) => i % 2 === 0)), total(row.rounds.filter((_, i) => i % 2 === 1))]
      : [shares, total(untimed.rounds)];
    const cost = row.rounds.length > 1 || !control ? overhead(a, b) : undefined;
    const estimate = lookupUs === undefined || control ? undefined : lookupUs / row.sampling / cpuUs(untimed);
    const target = TARGETS[row.tier];
    // An L1 hit is judged on its own interval; a Redis hit on the estimate, its interval being wider than its target.
    const verdict =
      row.tier === 'L1 hit'
        ? cost && (cost.high <= target ? 'met' : cost.low > target ? 'not met' : 'undecided')
        : estimate !== undefined && (estimate <= target ? 'met (estimate)' : 'not met (estimate)');
    cells.push([
      row.tier,
      control ? 'none timed (A/A: even rounds vs odd)' : String(row.sampling),
      row.ops / ((shares.samples * shares.intervalUs) / 1e6),
      cpuUs(row),
      shares.busy,
      (100 * shares.reference) / shares.busy,
      cost ? pct(cost.value) : null,
      cost ? `${pct(cost.low)} .. ${pct(cost.high)}` : null,
      estimate === undefined ? null : pct(estimate),
      control || !verdict ? '' : `≤ ${100 * target}%: ${verdict}`,
      100 * share(shares, 'histograms', 'clock'),
      100 * share(shares, 'clock'),
      100 * share(shares, 'counters'),
    ]);
    const top = [...shares.byPlace]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(([place, count]) => `${place} ${((100 * count) / shares.busy).toFixed(1)}%`);
    places.push(`booked, ${row.tier}, latencySampling ${row.sampling}: ${top.join('; ')}.`);
  }
  if (lookupUs !== undefined) {
    places.unshift(
      `estimate from L1: timing one lookup costs ${lookupUs.toFixed(2)} µs all in (the L1 hit's cost at latencySampling 1 over none, times an untimed L1 hit's CPU µs); the estimate is that over latencySampling, over the CPU µs of an untimed hit of this row's kind.`,
    );
  }
  return {
    id: 'observability-cost-profile',
    title: 'Observability on the hit path, from CPU profiles (@Cacheable, 64 in flight)',
    columns,
    rows: cells,
    notes: [
      `One Nest application context per hit (@Cacheable, logger off), ${settings.concurrency} lanes of back-to-back hits, each on its own warm key. Its latencySampling is switched in place between profiles; each row is ${settings.rounds} x ${settings.profileMs} ms of profile (rows interleaved, order reversed every other round), sampled every ${settings.intervalUs} µs by node:inspector in this process. Busy samples: the thread not idle in the event loop; every share is of these.`,
      "cost vs none timed: how much more CPU a hit takes with this sampling than with no lookup timed, measured as the ratio of the reference code's shares (none timed / this row). Reference: key and plan building and entry decoding (lib/engine/entry, lib/keys, lib/definitions) and the L1's LRU, the same work per hit whatever the sampling (not the Redis client: with 64 in flight it parses more replies per read when Node is slower). A share is counted, not timed: descheduling and a slower machine for a while change both sides alike, which is why it resolves a few percent where timing blocks (table below) cannot. Interval: binomial on the reference samples; rounds drift a little more than that, which the A/A row shows.",
      'target: an L1 hit is met when the whole interval is under it, not met when it is all above, else undecided; a Redis hit is judged on the estimate (its reference is a small share, so its interval is wider than 3%). The counters are always on: their cost is in both sides of the ratio (see booked).',
      'booked: samples V8 puts in the timing code (its lines in lib/engine/loading/read-through.ts, performance.now, CacheStatsRecorder#timings, lib/observability/{name-timings,latency-histogram}, with all they call) and in the counters (countRead in lib/engine/read-counting.ts, CacheStatsRecorder#for). V8 books part of the samples of small inlined functions on their caller, so these are lower bounds; the clock (native) is booked exactly.',
      ...places,
    ],
  };
}

const judge = (cpu: { q1: number; q3: number }, target: number) =>
  cpu.q3 <= target ? 'met' : cpu.q1 > target ? 'not met' : 'undecided';

interface PairedRow {
  tier: TierName;
  sampling: number;
  groups: number;
  cpu: ReturnType<typeof quartiles>;
  wall: ReturnType<typeof quartiles>;
}

function pairedTable(rows: PairedRow[], settings: ObservabilityCostSettings): Table {
  return {
    id: 'observability-cost-paired',
    title: 'Observability on the hit path: paired A/B blocks, lookups timed against none timed',
    columns: [
      { title: 'hit', format: 'text' },
      { title: 'latencySampling', format: 'text' },
      { title: 'hits per block', format: 'int' },
      { title: 'groups (ABBA)', format: 'int' },
      { title: 'CPU: median overhead', format: 'text' },
      { title: 'CPU: IQR', format: 'text' },
      { title: 'wall: median overhead', format: 'text' },
      { title: 'wall: IQR', format: 'text' },
      { title: 'target (CPU IQR)', format: 'text' },
    ],
    rows: rows.map(({ tier, sampling, groups, cpu, wall }) => [
      tier,
      sampling === NO_TIMING ? 'none (A/A control)' : String(sampling),
      settings.blockOps[tier],
      groups,
      pct(cpu.median),
      `${pct(cpu.q1)} .. ${pct(cpu.q3)}`,
      pct(wall.median),
      `${pct(wall.q1)} .. ${pct(wall.q3)}`,
      sampling === NO_TIMING ? '' : `≤ ${100 * TARGETS[tier]}%: ${judge(cpu, TARGETS[tier])}`,
    ]),
    notes: [
      "The application context of the profiles on both sides: its latencySampling is switched before each block (A: the row's, B: none timed; counters on in both), so both sides run the same code, keys and objects. Blocks alternate A B B A / B A A B, garbage collected before each group; a group gives (A1 + A2) / (B1 + B2) - 1. The A/A row switches to none on both sides: what the method reads when there is nothing to find.",
      'target: met when the middle half of the groups (CPU IQR) is under it, not met when it is all above, else undecided; the A/A row shows how wide the method reads when there is nothing to find.',
      'CPU: time the main thread spent on a CPU during the block (/proc/thread-self/schedstat on Linux; else process.cpuUsage, all threads); wall: its elapsed time. Overhead: of the timed context over the untimed one; IQR: the middle half of the groups.',
    ],
  };
}

/** Scenario: what the counters and the latency histograms cost an L1 hit and a Redis hit. */
export async function runObservabilityCost(
  settings: ObservabilityCostSettings,
  progress: (line: string) => void,
): Promise<Table[]> {
  const apps: App[] = [];
  try {
    for (const tier of TIERS) apps.push(await openObservedApp(tier, NO_TIMING, apps.length, settings));
    const profiles: ProfileRow[] = TIERS.flatMap((tier) =>
      SAMPLINGS.map((sampling) => ({ tier, sampling, ops: 0, rounds: [] })),
    );
    for (let round = 0; round < settings.rounds; round++) {
      for (const row of round % 2 === 0 ? profiles : [...profiles].reverse()) {
        progress(
          `observability cost: profile ${round + 1}/${settings.rounds}, ${row.tier}, latencySampling ${row.sampling}`,
        );
        const app = apps.find((candidate) => candidate.tier === row.tier)!;
        app.setSampling(row.sampling);
        await app.hitsFor(settings.profileMs / 4);
        settle();
        const { profile, result: ops } = await profileWhile(settings.intervalUs, () => app.hitsFor(settings.profileMs));
        row.ops += ops;
        row.rounds.push(attribute(profile, OBSERVABILITY));
      }
    }
    const paired: PairedRow[] = [];
    for (const tier of settings.groups > 0 ? TIERS : []) {
      // One app for both sides, its sampling switched before each block; A/A (none against none) is the control.
      const app = apps.find((candidate) => candidate.tier === tier)!;
      for (const timed of tier === 'L1 hit' ? [1, 16, 32, NO_TIMING] : [1, 16]) {
        progress(`observability cost: paired blocks, ${tier}, latencySampling ${timed} against none timed`);
        const ops = settings.blockOps[tier];
        const side = (every: number) => () => {
          app.setSampling(every);
          return app.hits(ops);
        };
        const ratios = await pairedBlocks(side(timed), side(NO_TIMING), settings.groups);
        app.setSampling(NO_TIMING);
        const { groups } = settings;
        paired.push({ tier, sampling: timed, groups, cpu: quartiles(ratios.cpu), wall: quartiles(ratios.wall) });
      }
    }
    const missed = apps.filter((app) => app.loads() > 0);
    const tables = [profileTable(profiles, settings)];
    if (paired.length > 0) tables.push(pairedTable(paired, settings));
    for (const app of missed) {
      tables[0].notes.push(`${app.tier}: the loader ran ${app.loads()} times, so not every call was a hit.`);
    }
    return tables;
  } finally {
    for (const app of apps) await app.context.close().catch(() => undefined);
  }
}
