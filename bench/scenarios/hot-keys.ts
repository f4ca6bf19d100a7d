import { zipfKeys } from '../support/key-sequences.js';
import { Cell, Column, Table, ratio } from '../support/table.js';
import { ExpiryStormSettings, RowResult, quantiles, runRow } from './expiry-storm.js';
import { stormRows } from './expiry-storm-caches.js';

/** Zipf exponent of the traffic: about what page views over a catalogue follow. */
const ZIPF_S = 1.1;

/** Full: 10,000 keys. Quick: fewer keys and a shorter TTL. */
export function hotKeysSettings(quick: boolean): ExpiryStormSettings {
  const keySequence = (keys: number) => zipfKeys(0x5eed, keys, ZIPF_S);
  return quick
    ? {
        keys: 1000,
        ttlMs: 300,
        loaderMs: 50,
        ratePerSecond: 2000,
        tailMs: 100,
        windowMs: 100,
        untimedKeys: 0,
        keySequence,
      }
    : {
        keys: 10_000,
        ttlMs: 2000,
        loaderMs: 50,
        ratePerSecond: 4000,
        tailMs: 1000,
        windowMs: 100,
        untimedKeys: 100,
        keySequence,
      };
}

const COLUMNS = (windowMs: number): Column[] => [
  { title: 'cache', format: 'text' },
  { title: 'warm-up writes spread ms', format: 'ms' },
  { title: 'loader calls', format: 'int' },
  { title: `peak loader calls / ${windowMs} ms`, format: 'int' },
  { title: 'peak x naive', format: 'ratio' },
  { title: 'refill p50 ms', format: 'ms' },
  { title: 'refill p99 ms', format: 'ms' },
  { title: 'stale served', format: 'int' },
  { title: 'errors', format: 'int' },
];

/**
 * Hot keys: the expiry storm's setup (every key written at once) under Zipf-distributed traffic,
 * where a few keys take most requests. Uniform traffic hides what jitter and early refresh do: a hot
 * key is read many times in its last moments, so early refresh reloads it before it expires, and
 * jitter spreads the expiries the cold tail would otherwise share.
 */
export async function runHotKeys(
  settings: ExpiryStormSettings & { prefix: string; redisUrl: string },
  progress: (line: string) => void,
): Promise<Table> {
  const results: RowResult[] = [];
  for (const [index, row] of stormRows(settings.ttlMs).entries()) {
    progress(`hot keys: ${row.name}`);
    results.push(await runRow(row, settings, settings.redisUrl, `${settings.prefix}.hot${index}`));
  }
  const naivePeak = results[0].peakPerWindow;
  return {
    id: 'hot-keys',
    title: `Hot keys: ${settings.keys} keys written together with a ${settings.ttlMs} ms TTL, ${settings.ratePerSecond} requests/s, Zipf s = ${ZIPF_S}, loader ${settings.loaderMs} ms`,
    columns: COLUMNS(settings.windowMs),
    rows: results.map((result): Cell[] => {
      const refill = result.samples.filter((sample) => sample.scheduledMs >= result.refillFromMs);
      const q = quantiles(refill.map((sample) => sample.latencyMs));
      return [
        result.name,
        result.writeSpreadMs,
        result.loaderCalls,
        result.peakPerWindow,
        ratio(result.peakPerWindow, naivePeak),
        q.p50,
        q.p99,
        result.stale.filter(Boolean).length,
        result.errors,
      ];
    }),
    notes: [
      'Same rows, warm-up and open-loop traffic as the expiry storm; only the key of each request differs: rank r is picked with probability proportional to 1 / r^s (ranks shuffled over the keys, the same sequence for every row).',
      `peak: loads started during the traffic in ${settings.windowMs} ms windows; "peak x naive" divides by the naive row. refill: calls from 0.9 x TTL after the first write to the end.`,
    ],
  };
}
