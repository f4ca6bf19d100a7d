import type { TestProject } from 'vitest/node';
import { RedisClusterHandle, startRedisCluster } from './redis-cluster.js';
import { RedisServer, startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    clusterNodes: { host: string; port: number }[];
  }
}

let redis: RedisServer | undefined;
let cluster: RedisClusterHandle | undefined;

/**
 * One shared redis-server (or REDIS_URL) and one 3-master Redis Cluster for the run; tests that
 * freeze or kill Redis start their own servers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
  } else {
    redis = await startRedisServer();
    project.provide('redisUrl', redis.url);
  }
  cluster = await startRedisCluster();
  project.provide('clusterNodes', cluster.nodes);
  return async () => {
    await Promise.all([redis?.stop(), cluster?.stop()]);
  };
}
