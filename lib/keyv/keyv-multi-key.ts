import { Cluster, Redis } from 'ioredis';

// Multi-key commands that work on a cluster too: the keys of a cluster live in different slots,
// so it gets one command per key (sent together, routed by the client); a standalone Redis gets
// one MGET / UNLINK / pipeline.

/** The values of these keys, undefined where a key is absent. */
export async function getAll<Value>(client: Redis | Cluster, redisKeys: string[]): Promise<(Value | undefined)[]> {
  const values =
    client instanceof Cluster
      ? await Promise.all(redisKeys.map((key) => client.get(key)))
      : await client.mget(redisKeys);
  return values.map((value) => (value ?? undefined) as Value | undefined);
}

/** Whether each key exists. */
export async function existAll(client: Redis | Cluster, redisKeys: string[]): Promise<boolean[]> {
  if (client instanceof Cluster) {
    return (await Promise.all(redisKeys.map((key) => client.exists(key)))).map((n) => n === 1);
  }
  const pipeline = client.pipeline();
  for (const key of redisKeys) pipeline.exists(key);
  return throwFirstError(await pipeline.exec()).map((n) => n === 1);
}

/** Deletes these keys; resolves with how many existed. */
export async function unlinkAll(client: Redis | Cluster, redisKeys: string[]): Promise<number> {
  if (!(client instanceof Cluster)) return client.unlink(...redisKeys);
  const deleted = await Promise.all(redisKeys.map((key) => client.unlink(key)));
  return deleted.reduce((sum, n) => sum + n, 0);
}

/** The replies of a pipeline, or its first error thrown. */
export function throwFirstError(results: [Error | null, unknown][] | null): number[] {
  for (const [error] of results ?? []) if (error) throw error;
  return (results ?? []).map(([, value]) => value as number);
}
