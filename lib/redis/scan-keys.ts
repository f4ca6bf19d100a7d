import { Cluster, Redis } from 'ioredis';

/** The connections that hold keys: every master of a cluster, or the one standalone client. */
export function mastersOf(client: Redis | Cluster): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Keys of one node matching `pattern`, batch by batch: SCAN, never KEYS, so other clients are never blocked for long. */
export async function* scanKeys(node: Redis, pattern: string, batch: number): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', batch);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}
