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
const SAMPLINGS = [1, 8, NO_TIMING];
const TIERS = ['L1 hit', 'Redis hit'] as const;

interface ProfileRow {
  app: App;
  ops: number;
  shares?: Shares;
}

const share = (shares: Shares, ...labels: string[]) =>
  labels.reduce((sum, label) => sum + (shares.byLabel.get(label) ?? 0), 0) / shares.busy;

function profileTable(rows: Required<ProfileRow>[], settings: ObservabilityCostSettings): Table {
  const columns: Column[] = [
    { title: 'hit', format: 'text' },
    { title: 'latencySampling', format: 'text' },
    { title: 'hits/s', format: 'ops' },
    { title: 'busy samples', format: 'int' },
    { title: 'CPU µs per hit', format: 'us' },
    { title: 'histograms % of hit', format: 'us' },
    { title: '± (95%)', format: 'us' },
    { title: 'of which clock %', format: 'us' },
    { title: 'counters %', format: 'us' },
    { title: 'histograms µs per hit', format: 'us' },
    { title: 'target', format: 'text' },
  ];
  const cells: Cell[][] = rows.map(({ app, ops, shares }) => {
    const histograms = share(shares, 'histograms', 'clock');
    const cpuUsPerHit = (shares.busy * shares.intervalUs) / ops;
    const target = TARGETS[app.tier];
    return [
      app.tier,
      app.sampling === NO_TIMING ? 'none timed (2^31-1)' : String(app.sampling),
      ops / ((shares.samples * shares.intervalUs) / 1e6),
      shares.busy,
      cpuUsPerHit,
      100 * histograms,
      100 * 1.96 * Math.sqrt((histograms * (1 - histograms)) / shares.busy),
      100 * share(shares, 'clock'),
      100 * share(shares, 'counters'),
      histograms * cpuUsPerHit,
      app.sampling === NO_TIMING ? '' : `≤ ${100 * target}%: ${histograms <= target ? 'met' : 'not met'}`,
    ];
  });
  const places = rows.map(({ app, shares }) => {
    const top = [...shares.byPlace]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(([place, count]) => `${place} ${((100 * count) / shares.busy).toFixed(1)}%`);
    return `where, ${app.tier}, latencySampling ${app.sampling}: ${top.join('; ')}.`;
  });
  return {
    id: 'observability-cost-profile',
    title: 'Observability on the hit path: share of a hit in a CPU profile (@Cacheable, 64 in flight)',
    columns,
    rows: cells,
    notes: [
      `Each row: one Nest application context (@Cacheable, logger off), ${settings.concurrency} lanes of back-to-back hits, each on its own warm key, profiled for ${settings.rounds} x ${settings.profileMs} ms (rows interleaved, order reversed every other round), sampled every ${settings.intervalUs} µs by node:inspector in this process. Busy samples: the thread not idle in the event loop (JavaScript, GC, native); every share is of these, so time the process spent descheduled on a busy machine does not count.`,
      'histograms: the sampling counter and clock reads in lib/engine/loading/read-through.ts (its timing lines, by line), performance.now, CacheStatsRecorder#timings and lib/observability/{name-timings,latency-histogram}, counted with all they call.',
      'counters: countRead (lib/engine/read-counting.ts: the per-name counters and the events$ check) and CacheStatsRecorder#for, always on.',
      '± (95%): binomial interval of the share from this many samples; the spread between runs is the better guide.',
      'V8 books some samples of small functions inlined into their callers (countRead, CacheStatsRecorder#for and #timings) on the caller, so in optimised code the counters and the sampling decision read low; the clock reads (native) and LatencyHistogram#observe are booked where they run. To book everything exactly (other machine code, so a cross-check): node --no-turbo-inlining --expose-gc .bench-build/bench/run.js --only observability-cost.',
      'CPU µs per hit: busy samples times the sampling interval, over hits; includes the loop that awaits each hit (no per-hit timing).',
      ...places,
    ],
  };
}

interface PairedRow {
  tier: TierName;
  sampling: number;
  groups: number;
  cpu: ReturnType<typeof quartiles>;
  wall: ReturnType<typeof quartiles>;
}

function pairedTable(rows: PairedRow[], settings: ObservabilityCostSettings): Table {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
  return {
    id: 'observability-cost-paired',
    title: 'Observability on the hit path: paired A/B blocks, lookups timed against none timed',
    columns: [
      { title: 'hit', format: 'text' },
      { title: 'latencySampling', format: 'int' },
      { title: 'hits per block', format: 'int' },
      { title: 'groups (ABBA)', format: 'int' },
      { title: 'CPU: median overhead', format: 'text' },
      { title: 'CPU: IQR', format: 'text' },
      { title: 'wall: median overhead', format: 'text' },
      { title: 'wall: IQR', format: 'text' },
    ],
    rows: rows.map(({ tier, sampling, groups, cpu, wall }) => [
      tier,
      sampling,
      settings.blockOps[tier],
      groups,
      pct(cpu.median),
      `${pct(cpu.q1)} .. ${pct(cpu.q3)}`,
      pct(wall.median),
      `${pct(wall.q1)} .. ${pct(wall.q3)}`,
    ]),
    notes: [
      'Two application contexts in this process running the same code on the same layout of keys, one timing lookups (one in latencySampling) and one none (counters on in both). Blocks alternate A B B A / B A A B, garbage collected before each group; a group gives (A1 + A2) / (B1 + B2) - 1.',
      'CPU: process.cpuUsage over the block (all threads of this process, not redis-server); wall: its elapsed time. Overhead: of the timed context over the untimed one; IQR: the middle half of the groups.',
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
    for (const tier of TIERS) {
      for (const sampling of SAMPLINGS) apps.push(await openObservedApp(tier, sampling, apps.length, settings));
    }
    const profiles: ProfileRow[] = apps.map((app) => ({ app, ops: 0, shares: undefined }));
    for (let round = 0; round < settings.rounds; round++) {
      for (const row of round % 2 === 0 ? profiles : [...profiles].reverse()) {
        progress(
          `observability cost: profile ${round + 1}/${settings.rounds}, ${row.app.tier}, latencySampling ${row.app.sampling}`,
        );
        await row.app.hitsFor(settings.profileMs / 4);
        settle();
        const run = () => row.app.hitsFor(settings.profileMs);
        const { profile, result: ops } = await profileWhile(settings.intervalUs, run);
        row.ops += ops;
        row.shares = mergeShares(row.shares, attribute(profile, OBSERVABILITY));
      }
    }
    const paired: PairedRow[] = [];
    for (const tier of settings.groups > 0 ? TIERS : []) {
      const untimed = apps.find((app) => app.tier === tier && app.sampling === NO_TIMING)!;
      for (const timed of apps.filter((app) => app.tier === tier && app.sampling !== NO_TIMING)) {
        progress(`observability cost: paired blocks, ${tier}, latencySampling ${timed.sampling} against none timed`);
        const ops = settings.blockOps[tier];
        const ratios = await pairedBlocks(
          () => timed.hits(ops),
          () => untimed.hits(ops),
          settings.groups,
        );
        const { groups } = settings;
        paired.push({
          tier,
          sampling: timed.sampling,
          groups,
          cpu: quartiles(ratios.cpu),
          wall: quartiles(ratios.wall),
        });
      }
    }
    const missed = apps.filter((app) => app.loads() > 0);
    const tables = [profileTable(profiles as Required<ProfileRow>[], settings)];
    if (paired.length > 0) tables.push(pairedTable(paired, settings));
    for (const app of missed) {
      tables[0].notes.push(
        `${app.tier}, latencySampling ${app.sampling}: the loader ran ${app.loads()} times, so not every call was a hit.`,
      );
    }
    return tables;
  } finally {
    for (const app of apps) await app.context.close().catch(() => undefined);
  }
}
