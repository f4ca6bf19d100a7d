import { settle, sleep } from '../support/measure.js';
import { OpenLoopSample, runOpenLoop } from '../support/open-loop.js';
import { Cell, Column, Table, ratio } from '../support/table.js';
import { KeySequence, uniformKeys } from '../support/key-sequences.js';
import { JsonValue, jsonValue } from '../support/value.js';
import { StormLoader, StormRow, StormValue, stormRows } from './expiry-storm-caches.js';

export interface ExpiryStormSettings {
  keys: number;
  ttlMs: number;
  loaderMs: number;
  /** Open-loop arrival rate, requests per second, each on a random key. */
  ratePerSecond: number;
  /** How long traffic runs past the nominal expiry of the last warm-up write. */
  tailMs: number;
  windowMs: number;
  /** Keys loaded in an untimed round first (JIT, connections, Lua scripts); 0 skips it. */
  untimedKeys: number;
  /** Which key each request reads; uniform unless a scenario says otherwise. */
  keySequence?: (keys: number) => KeySequence;
}

/** Full: about 20 s for all rows on 2 cores. Quick: about 4 s, fewer keys and a shorter TTL. */
export function expiryStormSettings(quick: boolean): ExpiryStormSettings {
  return quick
    ? { keys: 200, ttlMs: 200, loaderMs: 50, ratePerSecond: 2000, tailMs: 60, windowMs: 100, untimedKeys: 0 }
    : { keys: 2000, ttlMs: 1000, loaderMs: 50, ratePerSecond: 4000, tailMs: 800, windowMs: 100, untimedKeys: 100 };
}

/** A value served this much past its longest fresh window counts as stale (SET round trip, clock steps). */
const STALE_TOLERANCE_MS = 10;

/** Loader calls of one row: start times, and which keys have a load running right now. */
class LoadLog {
  starts: number[] = [];
  producedAt: number[] = [];
  readonly running = new Map<string, number>();

  loaderFor(id: string, loaderMs: number, base: JsonValue): StormLoader {
    return async () => {
      this.starts.push(performance.now());
      this.running.set(id, (this.running.get(id) ?? 0) + 1);
      try {
        await sleep(loaderMs);
      } finally {
        const left = this.running.get(id)! - 1;
        if (left === 0) this.running.delete(id);
        else this.running.set(id, left);
      }
      this.producedAt.push(performance.now());
      return { ...base, loadedAt: Date.now() } satisfies StormValue;
    };
  }
}

export interface RowResult {
  name: string;
  writeSpreadMs: number;
  loaderCalls: number;
  peakPerWindow: number;
  samples: OpenLoopSample[];
  /** Per request: its key had a load running when the call started. */
  duringLoad: boolean[];
  stale: boolean[];
  refillFromMs: number;
  errors: number;
}

export async function runRow(
  row: StormRow,
  settings: ExpiryStormSettings,
  redisUrl: string,
  namespace: string,
): Promise<RowResult> {
  const ids = Array.from({ length: settings.keys }, (_, i) => `p${i}`);
  const base = jsonValue();
  const cache = await row.open(redisUrl, namespace);
  try {
    // Untimed: the miss path once on other keys (JIT, connections, Lua scripts), so the warm-up
    // below is not slowed by first-call costs.
    const untimed = new LoadLog();
    await Promise.allSettled(
      ids
        .slice(0, settings.untimedKeys)
        .map((id) => cache.get(`w${id}`, untimed.loaderFor(id, settings.loaderMs, base))),
    );
    settle();
    // Every key written together: one miss per key, all started in the same tick.
    const warm = new LoadLog();
    const warmed = await Promise.allSettled(
      ids.map((id) => cache.get(id, warm.loaderFor(id, settings.loaderMs, base))),
    );
    let errors = warmed.filter((result) => result.status === 'rejected').length;
    // The warm-up loads' finishing times stand for the write times (each write follows its load at once).
    const firstWrite = warm.producedAt.length > 0 ? Math.min(...warm.producedAt) : performance.now();
    const lastWrite = warm.producedAt.length > 0 ? Math.max(...warm.producedAt) : firstWrite;

    settle();
    const log = new LoadLog();
    const nextKey = (settings.keySequence ?? ((keys) => uniformKeys(0x5eed, keys)))(settings.keys);
    // Traffic from now until `tailMs` past the last write's nominal expiry.
    const total = Math.max(
      1,
      Math.floor(((lastWrite + settings.ttlMs + settings.tailMs - performance.now()) * settings.ratePerSecond) / 1000),
    );
    const duringLoad = new Array<boolean>(total).fill(false);
    const stale = new Array<boolean>(total).fill(false);
    const run = await runOpenLoop(
      { ratePerSecond: settings.ratePerSecond, durationMs: (total * 1000) / settings.ratePerSecond, drainMs: 10_000 },
      async (index) => {
        const id = ids[nextKey()];
        const calledAt = Date.now();
        duringLoad[index] = log.running.has(id);
        const value = await cache.get(id, log.loaderFor(id, settings.loaderMs, base));
        if (value?.id !== base.id || typeof value.loadedAt !== 'number') throw new Error('not the loaded value');
        stale[index] = calledAt - value.loadedAt > row.freshMaxMs + STALE_TOLERANCE_MS;
      },
    );
    errors += run.samples.filter((sample) => sample.failed).length;
    // Background refreshes still running must finish before the cache is closed under them.
    for (let waited = 0; log.running.size > 0 && waited < 5_000; waited += 10) await sleep(10);
    await sleep(20);
    const windows = new Map<number, number>();
    for (const start of log.starts) {
      const window = Math.floor((start - run.startedMs) / settings.windowMs);
      windows.set(window, (windows.get(window) ?? 0) + 1);
    }
    return {
      name: row.name,
      writeSpreadMs: lastWrite - firstWrite,
      loaderCalls: log.starts.length,
      peakPerWindow: Math.max(0, ...windows.values()),
      samples: run.samples,
      duringLoad,
      stale,
      refillFromMs: firstWrite + settings.ttlMs * 0.9,
      errors,
    };
  } finally {
    await cache.close();
  }
}

export function quantiles(values: number[]): { p50: number | null; p99: number | null; max: number | null } {
  if (values.length === 0) return { p50: null, p99: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

const stormColumns = (loaderMs: number, windowMs: number): Column[] => [
  { title: 'cache', format: 'text' },
  { title: 'warm-up writes spread ms', format: 'ms' },
  { title: 'loader calls', format: 'int' },
  { title: `peak loader calls / ${windowMs} ms`, format: 'int' },
  { title: 'peak x naive', format: 'ratio' },
  { title: 'p99 ms before expiry', format: 'ms' },
  { title: 'refill p50 ms', format: 'ms' },
  { title: 'refill p99 ms', format: 'ms' },
  { title: `calls >= ${loaderMs} ms`, format: 'int' },
  { title: 'stale served', format: 'int' },
  { title: 'errors', format: 'int' },
];

const REFRESH_COLUMNS: Column[] = [
  { title: 'cache', format: 'text' },
  { title: 'calls during a load of their key', format: 'int' },
  { title: 'their p50 ms', format: 'ms' },
  { title: 'their p99 ms', format: 'ms' },
  { title: 'their max ms', format: 'ms' },
  { title: 'of them served stale', format: 'int' },
];

/**
 * Scenario 4: every key written at once with one TTL, then open-loop traffic on random keys across
 * the expiry point. Two tables from the same runs: the refill as the origin sees it (loader calls
 * per window) and as callers see it; and the calls that arrived while their key was being loaded.
 */
export async function runExpiryStorm(
  settings: ExpiryStormSettings & { prefix: string; redisUrl: string },
  progress: (line: string) => void,
): Promise<Table[]> {
  const results: RowResult[] = [];
  for (const [index, row] of stormRows(settings.ttlMs).entries()) {
    progress(`expiry storm: ${row.name}`);
    results.push(await runRow(row, settings, settings.redisUrl, `${settings.prefix}.${index}`));
  }
  const naivePeak = results[0].peakPerWindow;
  const stormTable: Table = {
    id: 'expiry-storm',
    title: `Expiry storm: ${settings.keys} keys written together with a ${settings.ttlMs} ms TTL, ${settings.ratePerSecond} requests/s on random keys, loader ${settings.loaderMs} ms`,
    columns: stormColumns(settings.loaderMs, settings.windowMs),
    rows: results.map((result) => {
      const before = result.samples.filter((sample) => sample.scheduledMs < result.refillFromMs);
      const refill = result.samples.filter((sample) => sample.scheduledMs >= result.refillFromMs);
      const refillQ = quantiles(refill.map((sample) => sample.latencyMs));
      const row: Cell[] = [
        result.name,
        result.writeSpreadMs,
        result.loaderCalls,
        result.peakPerWindow,
        ratio(result.peakPerWindow, naivePeak),
        quantiles(before.map((sample) => sample.latencyMs)).p99,
        refillQ.p50,
        refillQ.p99,
        result.samples.filter((sample) => sample.latencyMs >= settings.loaderMs).length,
        result.stale.filter(Boolean).length,
        result.errors,
      ];
      return row;
    }),
    notes: [
      `Each row: its own app/client on a fresh namespace (Redis store). Every key is loaded at once (one miss each${settings.untimedKeys > 0 ? ', after an untimed round on other keys' : ''}); "writes spread" is the time from the first to the last of those loads finishing, the CPU cost of ${settings.keys} writes in one process, so entries expire at least that far apart.`,
      `Then open-loop traffic: ${settings.ratePerSecond} requests/s on random keys (the same sequence for every row), issued on schedule whether or not earlier ones settled, until ${settings.tailMs} ms past the last entry's nominal expiry. Latency counts from the scheduled time: it includes queueing behind a busy event loop and up to ~1.5 ms of pacing (a 1 ms timer).`,
      `loader calls and peak: loads started during the traffic (warm-up excluded), counted in ${settings.windowMs} ms windows; "peak x naive" divides by the naive row (below 1: a flatter refill).`,
      `before expiry: calls scheduled before 0.9 x TTL after the first write (hits); refill: the calls from then to the end. "calls >= ${settings.loaderMs} ms": calls of the whole run that took at least one loader time.`,
      `stale served: the value was older, when the call started, than the row's longest fresh window (TTL or SWR fresh, x1.1 with jitter) + ${STALE_TOLERANCE_MS} ms. SWR stale window and bentocache grace period: 10 x TTL.`,
      'errors: rejected calls or wrong values, warm-up included.',
    ],
  };
  const refreshTable: Table = {
    id: 'swr-under-refresh',
    title: 'SWR under refresh: calls that arrived while their key was being loaded (same runs)',
    columns: REFRESH_COLUMNS,
    rows: results.map((result) => {
      const during = result.samples.filter((_, i) => result.duringLoad[i]);
      const q = quantiles(during.map((sample) => sample.latencyMs));
      return [
        result.name,
        during.length,
        q.p50,
        q.p99,
        q.max,
        result.stale.filter((s, i) => s && result.duringLoad[i]).length,
      ];
    }),
    notes: [
      'A call counts when a loader of its key was running as the call started (a reload or a background refresh); the call that starts a load is not among them.',
      'A plain cache makes these calls wait for the running load (naive: start another one); SWR and bentocache grace may answer them with the previous value (then counted as served stale).',
    ],
  };
  return [stormTable, refreshTable];
}
