import { Contender } from '../contenders/contender.js';
import { settle } from '../support/measure.js';
import { Table } from '../support/table.js';
import { StampedeRow, loaderAlone, stampedeRound, stampedeTable } from './stampede-round.js';

export interface StampedeSettings {
  callers: number;
  loaderMs: number;
  rounds: number;
  prefix: string;
}

/** Scenario 2a: `callers` concurrent callers of one cold key in one process; how often does the loader run? */
export async function runStampede(
  contenders: Contender[],
  settings: StampedeSettings,
  progress: (line: string) => void,
): Promise<Table> {
  const rows: StampedeRow[] = [];
  for (const [index, contender] of contenders.entries()) {
    if (contender.hitOnly) continue;
    if (contender.unavailable) {
      rows.push({ name: contender.name, runs: [], latenciesMs: [], errors: 0, unavailable: contender.unavailable });
      continue;
    }
    progress(`stampede (1 process): ${contender.name}`);
    rows.push(await measureRow(contender, settings, String(index)));
  }
  rows.push(await measureRow(copiesOnly(), settings, 'reference'));
  const floorMs = await loaderAlone(settings.loaderMs);
  return stampedeTable(
    'stampede-1-process',
    `Stampede: cold key, ${settings.callers} concurrent callers in 1 process, loader ${settings.loaderMs} ms`,
    floorMs,
    rows,
    [
      `${settings.rounds} timed rounds per contender after an untimed one, each on a new cold key; caller latencies pooled over the rounds.`,
      'Ideal: 1 loader run per round and every caller done shortly after the loader.',
      'failed calls: rejected, or resolved to something other than the loaded value.',
      `${COPIES_ONLY}: no cache, only what handing ${settings.callers} callers their own copy costs (one load shared in-process, one JSON.parse each): the floor of any row that copies per caller.`,
    ],
  );
}

const COPIES_ONLY = 'reference: one shared load, a JSON copy per caller';

/**
 * Every caller of a stampede gets its own copy (the module's copy-per-caller guarantee): this row
 * measures that alone, without any cache, so the table shows how much of a row's tail it explains.
 */
function copiesOnly(): Contender {
  const loads = new Map<string, Promise<string>>();
  return {
    name: COPIES_ONLY,
    tier: 'memory',
    getOrLoad: async (key, load) => {
      let text = loads.get(key);
      if (!text) loads.set(key, (text = load().then((value) => JSON.stringify(value))));
      return JSON.parse(await text);
    },
  };
}

async function measureRow(contender: Contender, settings: StampedeSettings, id: string): Promise<StampedeRow> {
  const row: StampedeRow = { name: contender.name, runs: [], latenciesMs: [], errors: 0 };
  // An untimed round first: the miss path's first run pays for JIT compilation, which a
  // long-running service does not.
  await stampedeRound(contender, `${settings.prefix}:stampede:${id}:warm-up`, settings.callers, settings.loaderMs);
  for (let round = 0; round < settings.rounds; round++) {
    settle();
    // A fresh key per round and contender: every round starts cold.
    const key = `${settings.prefix}:stampede:${id}:${round}`;
    const result = await stampedeRound(contender, key, settings.callers, settings.loaderMs);
    row.runs.push(result.loaderRuns);
    row.latenciesMs.push(...result.latenciesMs);
    row.errors += result.errors;
  }
  return row;
}
