import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../workers/cache-worker.mjs', import.meta.url));

export interface WorkerConfig {
  redisUrl: string;
  namespace: string;
  key: string;
  callers: number;
  loaderMs: number;
  label: string;
  swr?: { fresh: number | string; stale: number | string; refreshTimeout?: number | string };
  singleFlight?: false | { wait?: number | string; lease?: number | string };
}

export interface WorkerMessage {
  type: string;
  values?: string[];
  latencies?: number[];
}

/** A worker process (another app instance) using the built package; see test/workers/cache-worker.mjs. */
export class CacheWorker {
  readonly messages: WorkerMessage[] = [];
  readonly #child: ChildProcess;

  private constructor(config: WorkerConfig) {
    this.#child = fork(WORKER, [], {
      env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
      stdio: 'inherit',
    });
    this.#child.on('message', (message: WorkerMessage) => this.messages.push(message));
  }

  static async start(config: WorkerConfig): Promise<CacheWorker> {
    const worker = new CacheWorker(config);
    await worker.next('ready');
    return worker;
  }

  /** Resolves with the first message of this type (already received or still to come). */
  next(type: string, timeoutMs = 20_000): Promise<WorkerMessage> {
    const seen = this.messages.find((m) => m.type === type);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker sent no '${type}' in ${timeoutMs} ms`)), timeoutMs);
      const listener = (message: WorkerMessage) => {
        if (message.type !== type) return;
        clearTimeout(timer);
        this.#child.off('message', listener);
        resolve(message);
      };
      this.#child.on('message', listener);
    });
  }

  go(): void {
    this.#child.send({ type: 'go' });
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.send({ type: 'close' });
    await new Promise((resolve) => this.#child.once('exit', resolve));
  }
}
