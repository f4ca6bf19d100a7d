import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Contender } from '../contenders/contender.js';
import { Table } from '../support/table.js';
import { RoundResult, StampedeRow, loaderAlone, stampedeTable } from './stampede-round.js';
import { StampedeSettings } from './stampede.js';

export type ParentMessage =
  | { type: 'round'; id: number; name: string; key: string; startAt: number; callers: number; loaderMs: number }
  | { type: 'exit' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: RoundResult }
  | { type: 'error'; id: number; message: string };

const READY_TIMEOUT_MS = 60_000;
const ROUND_TIMEOUT_MS = 30_000;
// Lead time for the start signal to reach every process before the agreed instant.
const START_LEAD_MS = 100;

/** One forked process and its pending replies. */
class Worker {
  readonly #pending = new Map<number, { resolve: (result: RoundResult) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('a stampede worker did not start in time')), READY_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`a stampede worker exited early (code ${code})`));
      });
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
          return;
        }
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.type === 'result') pending?.resolve(message.result);
        else pending?.reject(new Error(message.message));
      });
    });
    this.ready.catch(() => undefined);
  }

  round(message: Extract<ParentMessage, { type: 'round' }>): Promise<RoundResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('a stampede round timed out')), ROUND_TIMEOUT_MS);
      this.#pending.set(message.id, {
        resolve: (result) => (clearTimeout(timer), resolve(result)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.child.send(message);
    });
  }

  /** Asks the process to close its clients and exit; kills it if it does not within 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies ParentMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Scenario 2b: the same stampede spread over several processes, each with its own apps and
 * clients on one shared Redis (a service scaled out). Only contenders whose hits are shared
 * through Redis take part: an in-process memory store cannot be shared by construction.
 */
export async function runStampedeProcesses(
  contenders: Contender[],
  settings: StampedeSettings & { processes: number; redisUrl: string },
  progress: (line: string) => void,
): Promise<Table> {
  const names = contenders
    .filter((contender) => contender.sharedViaRedis ?? contender.tier === 'redis')
    .filter((contender) => !contender.hitOnly && !contender.unavailable)
    .map((contender) => contender.name);
  const workerPath = fileURLToPath(new URL('./stampede-worker.js', import.meta.url));
  progress(`stampede (${settings.processes} processes): starting the processes`);
  const workers = Array.from(
    { length: settings.processes },
    () => new Worker(fork(workerPath, [settings.redisUrl, settings.prefix], { stdio: 'inherit' })),
  );
  const rows: StampedeRow[] = [];
  const perProcess = Math.ceil(settings.callers / settings.processes);
  let id = 0;
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    for (const name of names) {
      progress(`stampede (${settings.processes} processes): ${name}`);
      const row: StampedeRow = { name, runs: [], latenciesMs: [], errors: 0 };
      // Round -1 is untimed: it warms each process's miss path up (JIT), as in a long-running service.
      for (let round = -1; round < settings.rounds; round++) {
        const key = `${settings.prefix}:stampede-processes:${names.indexOf(name)}:${round}`;
        const startAt = Date.now() + START_LEAD_MS;
        const message = {
          type: 'round' as const,
          name,
          key,
          startAt,
          callers: perProcess,
          loaderMs: settings.loaderMs,
        };
        const results = await Promise.all(workers.map((worker) => worker.round({ ...message, id: ++id })));
        if (round < 0) continue;
        row.runs.push(results.reduce((sum, result) => sum + result.loaderRuns, 0));
        for (const result of results) {
          row.latenciesMs.push(...result.latenciesMs);
          row.errors += result.errors;
        }
      }
      rows.push(row);
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
  return stampedeTable(
    'stampede-processes',
    `Stampede across ${settings.processes} processes: cold key, ${perProcess * settings.processes} callers ` +
      `(${perProcess} per process), loader ${settings.loaderMs} ms, one shared Redis`,
    await loaderAlone(settings.loaderMs),
    rows,
    [
      `${settings.processes} processes forked with child_process.fork, each with its own Nest apps and clients; ` +
        `they start each round at the same wall-clock instant. Loader runs are summed over the processes. ` +
        `${settings.rounds} timed rounds per contender after an untimed one.`,
      `Ideal: 1 loader run per round. A cache that single-flights only within a process runs it up to ${settings.processes} times.`,
      `Only contenders whose entries live in Redis (some behind an in-process tier): a memory-only store is not shared between processes by construction.`,
    ],
  );
}
