import { Contender } from '../contenders/contender.js';
import { quantilesMs, sleep } from '../support/measure.js';
import { Cell, Column, Table, ratio } from '../support/table.js';
import { jsonValue } from '../support/value.js';

/** One cold key hit by many callers at once, in one process. */
export interface RoundResult {
  loaderRuns: number;
  latenciesMs: number[];
  errors: number;
}

/** Starts `callers` calls of a cold key in the same tick; the loader stands for a 50 ms query. */
export async function stampedeRound(
  contender: Contender,
  key: string,
  callers: number,
  loaderMs: number,
): Promise<RoundResult> {
  let loaderRuns = 0;
  const load = async () => {
    loaderRuns++;
    await sleep(loaderMs);
    return jsonValue();
  };
  let errors = 0;
  const latenciesMs = await Promise.all(
    Array.from({ length: callers }, async () => {
      const started = process.hrtime.bigint();
      try {
        const value = await contender.getOrLoad(key, load);
        if ((value as { id?: number } | undefined)?.id !== 4217) errors++;
      } catch {
        errors++;
      }
      return Number(process.hrtime.bigint() - started) / 1e6;
    }),
  );
  return { loaderRuns, latenciesMs, errors };
}

/** The floor of a stampede: the loader alone, called once. */
export async function loaderAlone(loaderMs: number): Promise<number> {
  const started = process.hrtime.bigint();
  await sleep(loaderMs);
  jsonValue();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export interface StampedeRow {
  name: string;
  /** Loader runs of each round (summed over processes). */
  runs: number[];
  latenciesMs: number[];
  errors: number;
  unavailable?: string;
}

function runsCell(runs: number[]): string {
  if (runs.length === 0) return 'n/a';
  const min = Math.min(...runs);
  const max = Math.max(...runs);
  if (min === max) return String(min);
  const mean = runs.reduce((sum, run) => sum + run, 0) / runs.length;
  return `${min}-${max} (mean ${mean.toFixed(1)})`;
}

const COLUMNS: Column[] = [
  { title: 'contender', format: 'text' },
  { title: 'loader runs per round', format: 'text' },
  { title: 'caller median ms', format: 'ms' },
  { title: 'caller p99 ms', format: 'ms' },
  { title: 'caller max ms', format: 'ms' },
  { title: 'p99 x floor', format: 'ratio' },
  { title: 'failed calls', format: 'int' },
];

export function stampedeTable(id: string, title: string, floorMs: number, rows: StampedeRow[], notes: string[]): Table {
  const cells: Cell[][] = [['floor: the loader alone, one caller', '1', floorMs, floorMs, floorMs, 1, 0]];
  const allNotes = [...notes];
  for (const row of rows) {
    if (row.unavailable) {
      cells.push([row.name, null, null, null, null, null, null]);
      allNotes.push(`${row.name}: ${row.unavailable}.`);
      continue;
    }
    const { medianMs, p99Ms, maxMs } = quantilesMs(row.latenciesMs);
    cells.push([row.name, runsCell(row.runs), medianMs, p99Ms, maxMs, ratio(p99Ms, floorMs), row.errors]);
  }
  return { id, title, columns: COLUMNS, rows: cells, notes: allNotes };
}
