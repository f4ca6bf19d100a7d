import { spawnSync } from 'node:child_process';
import { Cluster } from 'ioredis';
import { RedisServer, startRedisServer } from './redis-server.js';

export interface RedisClusterHandle {
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

/** Starts a 3-master Redis Cluster on free loopback ports and waits until every slot is served. */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const servers: RedisServer[] = [];
  for (let i = 0; i < 3; i++) {
    servers.push(await startRedisServer(['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000']));
  }
  const create = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (create.status !== 0) {
    await Promise.all(servers.map((s) => s.stop()));
    throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
  }
  const nodes = servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
  await waitForClusterOk(nodes);
  return { nodes, stop: async () => void (await Promise.all(servers.map((s) => s.stop()))) };
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
