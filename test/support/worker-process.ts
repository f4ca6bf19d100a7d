import { ChildProcess, fork } from 'node:child_process';

/** A message between a spec and its worker: a `type` and whatever the type carries. */
export interface WorkerMessage {
  type: string;
  [field: string]: unknown;
}

/**
 * A worker process started by a spec (its child side is test/support/worker-child.mjs): forked
 * with its config, ready once it said so; every message it sent is kept.
 * @example const worker = await WorkerProcess.start(WORKER, { redisUrl }); worker.send({ type: 'go' });
 */
export class WorkerProcess {
  readonly messages: WorkerMessage[] = [];
  /** Resolves when the process exits, with the signal that ended it (null for an exit of its own). */
  readonly exited: Promise<NodeJS.Signals | null>;
  readonly #child: ChildProcess;

  private constructor(file: string, config: object) {
    this.#child = fork(file, [], { env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) } });
    this.#child.on('message', (message: WorkerMessage) => this.messages.push(message));
    this.exited = new Promise((resolve) => this.#child.once('exit', (_code, signal) => resolve(signal)));
  }

  /** Forks `file` and resolves once it sent 'ready'; rejects if it exits first or stays silent for `readyTimeoutMs`. */
  static async start(file: string, config: object, readyTimeoutMs = 30_000): Promise<WorkerProcess> {
    const worker = new WorkerProcess(file, config);
    const child = worker.#child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`${file} sent no 'ready' in ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      const onMessage = (message: WorkerMessage) => message.type === 'ready' && (stopWaiting(), resolve());
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(new Error(`${file} exited (${signal ?? code}) before it was ready`));
      const stopWaiting = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const fail = (error: Error) => {
        stopWaiting();
        child.kill('SIGKILL');
        reject(error);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return worker;
  }

  /** True once the worker sent a message of this type. */
  saw(type: string): boolean {
    return this.messages.some((message) => message.type === type);
  }

  send(message: WorkerMessage): void {
    this.#child.send(message);
  }

  /** SIGKILL; resolves with the signal that ended the process (already ended: how it ended). */
  kill(): Promise<NodeJS.Signals | null> {
    this.#child.kill('SIGKILL');
    return this.exited;
  }
}
