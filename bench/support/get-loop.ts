import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { sleep } from './measure.js';

/** Wall-clock milliseconds with sub-ms precision, comparable between this thread and the GET loop's. */
export const wallMs = () => performance.timeOrigin + performance.now();

// Plain JavaScript evaluated in the worker. ioredis is resolved by this module and passed in, so the
// worker finds it wherever the bench is started from.
const GET_LOOP_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Redis } = require(workerData.ioredis);
const SIZE = 1 << 19;
const starts = new Float64Array(SIZE);
const durations = new Float64Array(SIZE);
let count = 0;
let running = true;
let paused;
const client = new Redis(workerData.url);
const wall = () => performance.timeOrigin + performance.now();
parentPort.on('message', (message) => {
  if (message.type === 'stop') {
    running = false;
    paused?.resolve();
    return;
  }
  if (message.type === 'pause') {
    let resolve;
    paused = { promise: new Promise((r) => (resolve = r)), resolve: () => resolve() };
    return;
  }
  if (message.type === 'resume') {
    paused?.resolve();
    paused = undefined;
    return;
  }
  // Latencies (ms) of the GETs that overlapped [from, to].
  const out = [];
  for (let i = Math.max(0, count - SIZE); i < count; i++) {
    const at = i % SIZE;
    if (starts[at] <= message.to && starts[at] + durations[at] >= message.from) out.push(durations[at]);
  }
  parentPort.postMessage({ id: message.id, latencies: out });
});
(async () => {
  await client.set(workerData.key, 'x');
  parentPort.postMessage({ type: 'ready' });
  while (running) {
    if (paused) await paused.promise;
    const t0 = wall();
    await client.get(workerData.key);
    const at = count % SIZE;
    starts[at] = t0;
    durations[at] = wall() - t0;
    count++;
  }
  await client.del(workerData.key);
  await client.quit();
  parentPort.postMessage({ type: 'stopped' });
})().catch((error) => parentPort.postMessage({ type: 'error', message: String(error) }));
`;

/**
 * A loop of plain GETs on its own connection and in its own thread (so a row that keeps the main
 * thread busy, e.g. parsing a 100,000-member reply, shows up only as far as Redis is slowed),
 * recording when each GET started and how long it took.
 */
export class GetLoop {
  #next = 0;
  readonly #pending = new Map<number, (latencies: number[]) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: { id?: number; latencies?: number[] }) => {
      if (message.id !== undefined) this.#pending.get(message.id)?.(message.latencies ?? []);
    });
  }

  static async start(url: string, key: string): Promise<GetLoop> {
    const ioredis = createRequire(import.meta.url).resolve('ioredis');
    const worker = new Worker(GET_LOOP_SOURCE, { eval: true, workerData: { url, key, ioredis } });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { type?: string; message?: string }) => {
        if (message.type === 'ready') resolve();
        if (message.type === 'error') reject(new Error(`GET loop: ${message.message}`));
      });
      worker.once('error', reject);
    });
    return new GetLoop(worker);
  }

  /** Latencies (ms) of the GETs that overlapped [from, to] (wall-clock ms, see wallMs). */
  window(from: number, to: number): Promise<number[]> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, (latencies) => {
        this.#pending.delete(id);
        resolve(latencies);
      });
      this.worker.postMessage({ type: 'window', id, from, to });
    });
  }

  /** Stops sending GETs while the bench fills Redis (the fill should not compete with it for the CPU). */
  pause(): void {
    this.worker.postMessage({ type: 'pause' });
  }

  resume(): void {
    this.worker.postMessage({ type: 'resume' });
  }

  async stop(): Promise<void> {
    const stopped = new Promise((resolve) =>
      this.worker.on('message', (message: { type?: string }) => message.type === 'stopped' && resolve(undefined)),
    );
    this.worker.postMessage({ type: 'stop' });
    // A worker stuck on a dead connection is terminated anyway.
    await Promise.race([stopped, sleep(2_000)]);
    await this.worker.terminate();
  }
}
