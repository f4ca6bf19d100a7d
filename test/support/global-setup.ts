import type { TestProject } from 'vitest/node';
import { RedisServer, startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let redis: RedisServer | undefined;

/** One shared redis-server for the run (or REDIS_URL); tests that freeze Redis start their own. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
  } else {
    redis = await startRedisServer();
    project.provide('redisUrl', redis.url);
  }
  return async () => {
    await redis?.stop();
  };
}
