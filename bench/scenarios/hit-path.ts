import { isDeepStrictEqual } from 'node:util';
import { Contender, Loader, Tier } from '../contenders/contender.js';
import { Budget, Recorder, Summary, settle, timeConcurrent, timeSerial } from '../support/measure.js';
import { Cell, Column, Table, ratio } from '../support/table.js';
import { jsonValue } from '../support/value.js';

export interface HitPathSettings {
  /** Budget of one pass; every contender is timed in each pass, so noise spreads over all rows. */
  serial: Budget;
  concurrent: Budget;
  passes: number;
  concurrency: number;
  prefix: string;
}

interface HitResult {
  contender: Contender;
  /** 'yes' when two hits return different objects; else whether the shared object is frozen. */
  copies?: string;
  problem?: string;
  serial?: Summary;
  concurrent?: Summary;
}

interface Prepared {
  contender: Contender;
  /** Reads lane `lane`'s key, counting calls. */
  read: (lane: number) => Promise<unknown>;
  /** Loader runs and calls since priming (warm-ups included): every one of these calls should be a hit. */
  counts: { loads: number; calls: number };
  copies: string;
  serial: Recorder;
  concurrent: Recorder;
}

const TIER_TITLES: Record<Tier, string> = {
  redis: 'Hit path, Redis (served from Redis on loopback)',
  memory: 'Hit path, in-process memory',
};

/**
 * Primes one key per lane and checks that a hit returns the value unchanged and whether it is a
 * copy. Each concurrent lane reads its own key: 64 callers of one key would measure a peer's
 * coalescing of identical in-flight reads (cache-manager's wrap shares one read and one object
 * between them) rather than 64 hits.
 */
async function prepare(contender: Contender, id: number, settings: HitPathSettings): Promise<Prepared> {
  // Keys carry the contender's index: contenders on one Redis never read each other's entries.
  const keys = Array.from({ length: settings.concurrency }, (_, lane) => `${settings.prefix}:hit:${id}:${lane}`);
  const counts = { loads: 0, calls: 0 };
  const load: Loader = async () => {
    counts.loads++;
    return jsonValue();
  };
  for (const key of keys) await contender.getOrLoad(key, load);
  // Give layers that write in the background a moment to land before the first read.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const first = await contender.getOrLoad(keys[0], load);
  const second = await contender.getOrLoad(keys[0], load);
  if (!isDeepStrictEqual(first, jsonValue())) throw new Error('a hit did not return the stored value');
  counts.loads = 0;
  const maxOps = settings.serial.maxOps;
  return {
    contender,
    counts,
    read: (lane) => {
      counts.calls++;
      return contender.getOrLoad(keys[lane], load);
    },
    copies: first !== second ? 'yes' : Object.isFrozen(first) ? 'no, frozen' : 'no',
    serial: new Recorder(maxOps),
    concurrent: new Recorder(maxOps),
  };
}

async function timePass(prepared: Prepared, settings: HitPathSettings): Promise<void> {
  await timeSerial(() => prepared.read(0), settings.serial, prepared.serial);
  await timeConcurrent(prepared.read, settings.concurrency, settings.concurrent, prepared.concurrent);
  settle();
}

const COLUMNS: Column[] = [
  { title: 'contender', format: 'text' },
  { title: 'copy', format: 'text' },
  { title: '1 in flight: median µs', format: 'us' },
  { title: 'p99 µs', format: 'us' },
  { title: 'median x floor', format: 'ratio' },
  { title: 'added µs vs floor', format: 'delta-us' },
  { title: '64 in flight: ops/s', format: 'ops' },
  { title: 'ops/s x floor', format: 'ratio' },
  { title: 'p99 µs (64)', format: 'us' },
];

function toTable(tier: Tier, results: HitResult[], concurrency: number, passes: number): Table {
  const floor = results.find((result) => result.contender.floor);
  const notes: string[] = [
    `floor row: ${floor?.contender.name ?? 'none'}. "median x floor" > 1 is slower; "ops/s x floor" < 1 is slower. ` +
      `"added µs" is this row's median minus the floor's median.`,
    `copy: "yes" when two hits return different objects, so a caller mutating its result cannot change what the next caller gets; ` +
      `"no, frozen": one shared object that throws on mutation; "no": one shared, mutable object.`,
    `${concurrency} in flight: ${concurrency} callers, each on its own warm key, start their next call when the last one settles; ops/s over the timed phases.`,
    passes === 1
      ? 'One timed pass per contender, after a warm-up.'
      : `Samples pooled over ${passes} interleaved passes (contender order reversed every other pass), each after its own warm-up.`,
  ];
  const rows: Cell[][] = results.map(({ contender, copies, serial, concurrent, problem }) => {
    if (problem) notes.push(`${contender.name}: ${problem}.`);
    if (!serial || !concurrent) return [contender.name, null, null, null, null, null, null, null, null];
    return [
      contender.name,
      copies ?? null,
      serial.medianUs,
      serial.p99Us,
      ratio(serial.medianUs, floor?.serial?.medianUs),
      floor?.serial ? serial.medianUs - floor.serial.medianUs : null,
      concurrent.opsPerSec,
      ratio(concurrent.opsPerSec, floor?.concurrent?.opsPerSec),
      concurrent.p99Us,
    ];
  });
  return { id: `hit-path-${tier}`, title: TIER_TITLES[tier], columns: COLUMNS, rows, notes };
}

/** Scenario 1: warm keys read over and over, one call in flight and `concurrency` in flight. */
export async function runHitPath(
  contenders: Contender[],
  settings: HitPathSettings,
  progress: (line: string) => void,
): Promise<Table[]> {
  const tables: Table[] = [];
  for (const tier of ['redis', 'memory'] as const) {
    const results = new Map<Contender, HitResult>();
    const ready: Prepared[] = [];
    for (const [id, contender] of contenders.entries()) {
      if (contender.tier !== tier) continue;
      results.set(contender, { contender, problem: contender.unavailable });
      if (contender.unavailable) continue;
      try {
        ready.push(await prepare(contender, id, settings));
      } catch (error) {
        results.set(contender, { contender, problem: `failed: ${(error as Error).message}` });
      }
    }
    for (let pass = 0; pass < settings.passes; pass++) {
      // Alternate the order: whatever drifts during a run (CPU boost, GC heap) lands on every row alike.
      for (const prepared of pass % 2 === 0 ? ready : [...ready].reverse()) {
        progress(`hit path (${tier}), pass ${pass + 1}/${settings.passes}: ${prepared.contender.name}`);
        try {
          await timePass(prepared, settings);
        } catch (error) {
          results.set(prepared.contender, {
            contender: prepared.contender,
            problem: `failed: ${(error as Error).message}`,
          });
        }
      }
    }
    for (const prepared of ready) {
      const result = results.get(prepared.contender)!;
      if (result.problem) continue;
      const { loads, calls } = prepared.counts;
      results.set(prepared.contender, {
        contender: prepared.contender,
        copies: prepared.copies,
        serial: prepared.serial.summarize(),
        concurrent: prepared.concurrent.summarize(),
        problem:
          loads > 0
            ? `the loader ran ${loads} times in ${calls} calls on warm keys (warm-ups included), so not every timed call was a hit`
            : undefined,
      });
    }
    tables.push(toTable(tier, [...results.values()], settings.concurrency, settings.passes));
  }
  return tables;
}
