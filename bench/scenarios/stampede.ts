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
    const row: StampedeRow = { name: contender.name, runs: [], latenciesMs: [], errors: 0 };
    // An untimed round first: the miss path's first run pays for JIT compilation, which a
    // long-running service does not.
    await stampedeRound(contender, `${settings.prefix}:stampede:${index}:warm-up`, settings.callers, settings.loaderMs);
    for (let round = 0; round < settings.rounds; round++) {
      settle();
      // A fresh key per round and contender: every round starts cold.
      const key = `${settings.prefix}:stampede:${index}:${round}`;
      const result = await stampedeRound(contender, key, settings.callers, settings.loaderMs);
      row.runs.push(result.loaderRuns);
      row.latenciesMs.push(...result.latenciesMs);
      row.errors += result.errors;
    }
    rows.push(row);
  }
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
    ],
  );
}
