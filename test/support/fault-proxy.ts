import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CORE_URL = new URL('./fault-proxy.child.mjs', import.meta.url);

/** A network fault the proxy applies to the bytes (or the connections) of a scope. */
export type Fault =
  | { kind: 'pass' }
  /** Every chunk is delivered `ms` (+ up to `jitter`) after it arrived, in order. */
  | { kind: 'latency'; ms: number; jitter?: number }
  /** At most this many bytes per second, trickled in 20 ms slices. */
  | { kind: 'bandwidth'; bytesPerSec: number }
  /** Bytes are accepted and held, never forwarded, until the fault changes (then they flow, late). */
  | { kind: 'blackhole' }
  /** Matching connections get a TCP RST (both sides), now and whenever one opens. */
  | { kind: 'reset' }
  /** New connections are refused (the port stops listening); open ones carry on. Scope: all only. */
  | { kind: 'refuse' }
  /** Chunks are forwarded in pieces of at most `bytes`, one write per timer turn. */
  | { kind: 'slice'; bytes: number }
  /** Matching connections are closed (FIN) `ms` after they opened or after the fault was set. */
  | { kind: 'closeAfter'; ms: number };

/** Shorthands for faults. @example proxy.set(faults.latency(500, 50)) */
export const faults = {
  pass: (): Fault => ({ kind: 'pass' }),
  latency: (ms: number, jitter = 0): Fault => ({ kind: 'latency', ms, jitter }),
  bandwidth: (bytesPerSec: number): Fault => ({ kind: 'bandwidth', bytesPerSec }),
  blackhole: (): Fault => ({ kind: 'blackhole' }),
  reset: (): Fault => ({ kind: 'reset' }),
  refuse: (): Fault => ({ kind: 'refuse' }),
  slice: (bytes: number): Fault => ({ kind: 'slice', bytes }),
  closeAfter: (ms: number): Fault => ({ kind: 'closeAfter', ms }),
};

/**
 * Which connections and which direction a fault applies to: `up` is client to server, `down`
 * server to client. A connection rule beats a tag rule, which beats the rule for all connections.
 */
export interface FaultScope {
  direction?: 'up' | 'down' | 'both';
  /** A tag named in FaultProxyOptions.tags. */
  tag?: string;
  /** A connection id from connections(). */
  connection?: number;
}

/** Names a kind of connection by a pattern in the first 4 KiB it sends (e.g. the bus's SUBSCRIBE). */
export interface ConnectionTag {
  name: string;
  /** RegExp source, matched against the client's first bytes as latin1 text. */
  pattern: string;
  flags?: string;
}

/** Where the proxy forwards to, and how it tags connections. */
export interface FaultProxyOptions {
  target: { host?: string; port: number };
  tags?: ConnectionTag[];
}

/** One connection the proxy accepted. */
export interface ConnectionInfo {
  id: number;
  tag: string | null;
  open: boolean;
  bytesUp: number;
  bytesDown: number;
}

/** A TCP proxy in front of Redis that injects faults per direction and per connection. */
export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  set(fault: Fault, scope?: FaultScope): Promise<void>;
  /** Lifts the faults of one scope, or all of them. */
  clear(scope?: FaultScope): Promise<void>;
  connections(): Promise<ConnectionInfo[]>;
  stop(): Promise<void>;
}

/** The tag of ioredis's subscriber connections (the L1 invalidation bus). */
export const SUBSCRIBER_TAG: ConnectionTag = { name: 'subscriber', pattern: 'subscribe\\r\\n', flags: 'i' };

interface Core {
  port: number;
  start(): Promise<number>;
  set(fault: Fault, scope?: FaultScope): Promise<void>;
  clear(scope?: FaultScope): Promise<void>;
  connections(): ConnectionInfo[];
  stop(): Promise<void>;
}

/** The proxy in this process: simplest, but it stalls whenever this process's event loop does. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { FaultProxyCore } = (await import(CORE_URL.href)) as { FaultProxyCore: new (o: FaultProxyOptions) => Core };
  const core = new FaultProxyCore(options);
  const port = await core.start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    set: (fault, scope) => core.set(fault, scope),
    clear: (scope) => core.clear(scope),
    connections: async () => core.connections(),
    stop: () => core.stop(),
  };
}

/** The proxy in a child process of its own, for timing tests: its clock keeps running when ours blocks. */
export async function startFaultProxyProcess(options: FaultProxyOptions): Promise<FaultProxy> {
  const child = fork(fileURLToPath(CORE_URL), [], {
    env: { ...process.env, FAULT_PROXY_CHILD: '1' },
    stdio: 'inherit',
  });
  const calls = new IpcCalls(child);
  const port = (await calls.call('start', [options])) as number;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    set: async (fault, scope) => void (await calls.call('set', [fault, scope])),
    clear: async (scope) => void (await calls.call('clear', [scope])),
    connections: async () => (await calls.call('connections', [])) as ConnectionInfo[],
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await calls.call('stop', []).catch(() => undefined);
      await exited;
    },
  };
}

/** Request/response over a child's IPC channel. */
class IpcCalls {
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.#waiting.get(message.id);
      this.#waiting.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`fault proxy: ${message.error}`));
      else waiter?.resolve(message.result);
    });
    child.on('exit', () => {
      for (const waiter of this.#waiting.values()) waiter.reject(new Error('fault proxy process exited'));
      this.#waiting.clear();
    });
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.child.send({ id, method, args: args.map((arg) => arg ?? null) }, (error) => error && reject(error));
    });
  }
}
