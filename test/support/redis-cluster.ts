import { spawnSync } from 'node:child_process';
import { Cluster, Redis } from 'ioredis';
import { RedisServer, startRedisServer } from './redis-server.js';

export interface RedisClusterHandle {
  /** The masters the cluster was created with (seed nodes for a client). */
  nodes: { host: string; port: number }[];
  /** Every server: the masters first, then their replicas (with `replicas: 1`). */
  servers: RedisServer[];
  stop(): Promise<void>;
}

/** How the cluster is built; the defaults give the suite's shared 3-master cluster. */
export interface RedisClusterOptions {
  /** One replica per master when 1 (opt-in: failover tests); default 0. */
  replicas?: 0 | 1;
  /** `cluster-node-timeout`: how long a silent node takes to be failed over; default 2000 ms. */
  nodeTimeoutMs?: number;
}

/** Starts a 3-master Redis Cluster (with a replica per master if asked) and waits until every slot is served. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const replicas = options.replicas ?? 0;
  const args = ['--cluster-enabled', 'yes', '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2_000)];
  const servers: RedisServer[] = [];
  for (let i = 0; i < 3 * (1 + replicas); i++) servers.push(await startRedisServer(args));
  const create = spawnSync(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...servers.map((s) => `127.0.0.1:${s.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ],
    { encoding: 'utf8' },
  );
  const stop = async () => void (await Promise.all(servers.map((s) => s.stop())));
  if (create.status !== 0) {
    await stop();
    throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
  }
  // redis-cli gives the first three the slots and makes the others their replicas.
  const nodes = servers.slice(0, 3).map((s) => ({ host: '127.0.0.1', port: s.port }));
  await waitForClusterOk(nodes);
  if (replicas > 0) await waitForReplicas(servers.slice(3));
  return { nodes, servers, stop };
}

/** The port of the master serving a key's slot, as that node sees it. */
export async function masterPortOf(seed: { host: string; port: number }, key: string): Promise<number> {
  const client = new Redis(seed.port, seed.host, { maxRetriesPerRequest: 0 });
  try {
    const slot = (await client.cluster('KEYSLOT', key)) as number;
    const ranges = await client.cluster('SLOTS');
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot} (key ${key})`);
    return range[2]![1];
  } finally {
    client.disconnect();
  }
}

/** Waits until a cluster node reports cluster_state:ok and no slot is served by `deadPort` any more. */
export async function waitForFailover(
  seed: { host: string; port: number },
  deadPort: number,
  timeoutMs = 20_000,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const client = new Redis(seed.port, seed.host, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      const info = (await client.cluster('INFO')) as string;
      const ranges = await client.cluster('SLOTS');
      if (info.includes('cluster_state:ok') && ranges.every((range) => range[2]![1] !== deadPort)) return;
    } catch {
      // not there yet
    } finally {
      client.disconnect();
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`no replica took over from port ${deadPort} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitForReplicas(replicas: RedisServer[], timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (const replica of replicas) {
    const client = new Redis(replica.port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    try {
      for (;;) {
        const info = await client.info('replication');
        if (info.includes('role:slave') && info.includes('master_link_status:up')) break;
        if (Date.now() - started > timeoutMs) throw new Error(`replica on port ${replica.port} did not sync`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      client.disconnect();
    }
  }
}

async function waitForClusterOk(nodes: { host: string; port: number }[], timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const cluster = new Cluster(nodes, { clusterRetryStrategy: () => null });
    cluster.on('error', () => undefined);
    try {
      const info = (await cluster.cluster('INFO')) as string;
      if (info.includes('cluster_state:ok')) {
        // Write one key per master to be sure every slot range answers.
        await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => cluster.set(`probe:${k}`, '1')));
        cluster.disconnect();
        return;
      }
    } catch {
      // not ready yet
    }
    cluster.disconnect();
    if (Date.now() - started > timeoutMs) throw new Error('Redis Cluster did not reach cluster_state:ok');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
