import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { RedisConnection } from '../options/cachekit-options.interface.js';
import { ResolvedCacheKitOptions } from '../options/cachekit-options.interface.js';
import { within } from '../timing/within.js';
import { ClusterBackstops, CommandBackstop } from './command-backstop.js';
import { keepQueuedCommandsYoung } from './queued-commands.js';

const BOOT_WAIT_MS = 1_000;
// QUIT on a frozen server gets no answer: the socket's end is awaited this long at most.
const QUIT_WAIT_MS = 1_000;

/**
 * The module's Redis client. Clients created from options are tuned to fail fast (no offline
 * queue, one retry, a command timeout) and closed at shutdown; a client the app passed in is used
 * as it is and never closed. Their command timeout is a CommandBackstop (one per Cluster node).
 */
export class RedisConnectionHolder implements OnApplicationShutdown {
  readonly #logger = new Logger('CacheKit');
  /** The last error the connection itself reported since it was last ready (clients we created only). */
  lastError?: Error;

  private constructor(
    readonly client: Redis | Cluster | null,
    private readonly owned: boolean,
    private readonly backstop?: { stop(): void },
  ) {}

  static async open(options: ResolvedCacheKitOptions): Promise<RedisConnectionHolder> {
    const logger = new Logger('CacheKit');
    if (options.redis === undefined) {
      logger.log('No redis option: using the in-process memory store (entries are not shared between instances).');
      return new RedisConnectionHolder(null, false);
    }
    if (options.redis instanceof Redis || options.redis instanceof Cluster) {
      return new RedisConnectionHolder(options.redis, false);
    }
    const { client, backstop } = createClient(options.redis, options.operationTimeoutMs);
    const holder = new RedisConnectionHolder(client, true, backstop);
    client.on('error', (error: Error) => {
      // ioredis reports every failed reconnect; say it once per distinct reason.
      if (error.message !== holder.lastError?.message) logger.warn(`Redis connection: ${error.message}`);
      holder.lastError = error;
    });
    client.on('ready', () => (holder.lastError = undefined));
    await waitUntilReady(client);
    return holder;
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.#close();
    } finally {
      this.backstop?.stop(); // only now: QUIT on a frozen server is bounded by it too
    }
  }

  async #close(): Promise<void> {
    const client = this.client;
    if (!client || !this.owned || client.status === 'end') return;
    if (client instanceof Redis && client.status === 'reconnecting') {
      // Between reconnect attempts there is no socket: ioredis never emits 'end' then, and there is
      // nothing to flush (no offline queue). Stopping the retries is all that is left to do.
      client.disconnect();
      return;
    }
    // Resolve only once the socket is closed, so nothing of ours outlives app.close().
    const ended = new Promise<boolean>((resolve) => client.once('end', () => resolve(true)));
    // The QUIT's own reply is bounded only by the command timeout (10 x operationTimeout): on a
    // frozen server that is far longer than the connection allows a goodbye, so it is not awaited.
    const quitted = client.quit().then(
      () => true,
      () => false,
    );
    if (!(await within(Promise.race([ended, quitted.then((ok) => ok && ended)]), QUIT_WAIT_MS))) {
      client.disconnect();
      await within(ended, QUIT_WAIT_MS);
    }
    this.#logger.debug('Closed the Redis connection');
  }
}

function createClient(
  connection: Exclude<RedisConnection, Redis | Cluster>,
  timeoutMs: number,
): { client: Redis | Cluster; backstop?: { stop(): void } } {
  // A backstop that frees ioredis's queue (see CommandBackstop); the per-call bound is the module's
  // own, far shorter deadline.
  const commandTimeout = Math.max(1_000, timeoutMs * 10);
  const failFast: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  };
  if (typeof connection !== 'string' && 'cluster' in connection) {
    const { redisOptions, ...clusterOptions } = connection.options ?? {};
    const client = new Cluster(connection.cluster, {
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
      ...clusterOptions,
      redisOptions: { ...failFast, ...redisOptions },
    });
    client.on('+node', keepQueuedCommandsYoung);
    const own = redisOptions !== undefined && 'commandTimeout' in redisOptions;
    return { client, backstop: own ? undefined : new ClusterBackstops(client, commandTimeout) };
  }
  const client =
    typeof connection === 'string' ? new Redis(connection, failFast) : new Redis({ ...failFast, ...connection });
  keepQueuedCommandsYoung(client);
  // The same bound as ioredis's commandTimeout, by one sweeping timer rather than a timer per
  // command (see CommandBackstop); an app that sets commandTimeout itself gets ioredis's.
  const own = typeof connection !== 'string' && 'commandTimeout' in connection;
  return { client, backstop: own ? undefined : new CommandBackstop(client, commandTimeout) };
}

// Boot does not fail when Redis is down (the cache fails open); it waits briefly so the first
// requests of a healthy deployment already hit Redis.
function waitUntilReady(client: Redis | Cluster): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, BOOT_WAIT_MS);
    client.once('ready', done);
    client.once('error', done);
  });
}
