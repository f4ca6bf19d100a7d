import type { TestProject } from 'vitest/node';
import { PostgresServer, startPostgres } from './postgres.js';
import { RedisClusterHandle, startRedisCluster } from './redis-cluster.js';
import { RedisServer, startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    clusterNodes: { host: string; port: number }[];
    databaseUrl: string;
  }
}

let redis: RedisServer | undefined;
let cluster: RedisClusterHandle | undefined;
let postgres: PostgresServer | undefined;

/**
 * One shared redis-server (or REDIS_URL) and one 3-master Redis Cluster for the run; tests that
 * freeze or kill Redis start their own servers. One PostgreSQL server (or DATABASE_URL).
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
  if (!process.env.DATABASE_URL) postgres = await startPostgres();
  project.provide('databaseUrl', process.env.DATABASE_URL ?? postgres!.url);
  return async () => {
    await Promise.all([redis?.stop(), cluster?.stop(), postgres?.stop()]);
  };
}
