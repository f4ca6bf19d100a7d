import { Cluster, Redis } from 'ioredis';
import { isValidNamespace } from '../keys/key-layout.js';
import { mastersOf } from '../redis/scan-keys.js';
import { CacheKitCliError } from './cli.errors.js';
import { cliMessages } from './cli.messages.js';

/** Where the CLI writes: results to `out`, progress bars and warnings to `err` (so `--json | jq` stays clean). */
export interface CliIo {
  out: (text: string) => void;
  err: NodeJS.WritableStream;
}

/** The options every command shares. */
export interface GlobalOptions {
  redis?: string;
  cluster?: string;
  namespace: string;
  json?: boolean;
  batch: string;
}

/** One command's connection and settings; `close()` when done. */
export class CliContext {
  readonly masters: Redis[];

  private constructor(
    readonly client: Redis | Cluster,
    readonly namespace: string,
    readonly json: boolean,
    readonly batch: number,
    readonly io: CliIo,
  ) {
    this.masters = mastersOf(client);
  }

  /** Connects (failing fast: an operator wants an error, not a retry loop) and checks the options. */
  static async open(options: GlobalOptions, io: CliIo): Promise<CliContext> {
    if (!isValidNamespace(options.namespace))
      throw new CacheKitCliError(cliMessages.invalidNamespace(options.namespace));
    const batch = Number(options.batch);
    if (!Number.isInteger(batch) || batch <= 0)
      throw new CacheKitCliError(cliMessages.invalidPositive('--batch', options.batch));
    const client = options.cluster ? openCluster(options.cluster) : openStandalone(options.redis);
    client.on('error', () => undefined); // the failed connect() below says why
    try {
      if (client instanceof Cluster) {
        await new Promise<void>((resolve, reject) => {
          client.once('ready', resolve);
          client.once('node error', (error: Error) => reject(error));
          client.once('end', () => reject(new Error('connection closed')));
        });
      } else await client.connect();
    } catch (error) {
      client.disconnect();
      throw new CacheKitCliError(
        cliMessages.unreachable(options.cluster ?? options.redis ?? '', (error as Error).message),
      );
    }
    return new CliContext(client, options.namespace, options.json === true, batch, io);
  }

  /** Prints a result: JSON with `--json`, else the text form. */
  print(json: unknown, text: () => string): void {
    this.io.out(this.json ? JSON.stringify(json, null, 2) : text());
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

function openStandalone(url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Redis {
  if (!/^rediss?:\/\//.test(url)) throw new CacheKitCliError(cliMessages.invalidRedis(url));
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
}

function openCluster(nodes: string): Cluster {
  const startup = nodes.split(',').map((node) => {
    const [host, port] = node.replace(/^rediss?:\/\//, '').split(':');
    return { host, port: Number(port ?? 6379) };
  });
  return new Cluster(startup, { clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 1 } });
}
