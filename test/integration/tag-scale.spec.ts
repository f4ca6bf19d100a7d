import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { wrap } from '../../lib/engine/entry/envelope.js';
import { v8Serializer } from '../../lib/serialization/v8.serializer.js';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { engineOver, planFor } from '../support/engine.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { plantedEntry } from '../support/stored-entries.js';

const ENTRIES = 100_000;
const TIMES = { fenceTtlMs: 60_000, tagTtlMs: 3_600_000 };

/** Evicting a tag is one write whatever carries it: 100,000 entries are gone for readers at once. */
describe.each(['redis', 'cluster'])('a tag held by many entries (%s)', (kind) => {
  let client: Redis | Cluster;
  let server: RedisServer | undefined;
  beforeAll(async () => {
    // A private server, so the command count below sees only this test's commands.
    if (kind === 'redis') server = await startRedisServer();
    client = server ? new Redis(server.url) : new Cluster(inject('clusterNodes'));
  });
  afterAll(async () => {
    await client.quit();
    await server?.stop();
  });

  it(`invalidates ${ENTRIES.toLocaleString('en')} entries with one command per tag`, async () => {
    const engine = engineOver(new RedisEntryStore(client, TIMES), 5_000);
    const ns = uniqueNamespace();
    const tag = `{${ns}:~tag:hot}`;
    // Written straight into Redis in pipelines (the fill path is covered elsewhere); the cluster
    // run checks slots, not scale.
    const count = kind === 'redis' ? ENTRIES : ENTRIES / 20;
    const { tagVersions } = await new RedisEntryStore(client, TIMES).begin(`{${ns}:e:0}`, [tag], 3_600_000);
    for (let start = 0; start < count; start += 5_000) {
      const batch = Array.from({ length: Math.min(5_000, count - start) }, (_, i) => start + i);
      if (client instanceof Redis) {
        const pipeline = client.pipeline();
        for (const i of batch) pipeline.set(`{${ns}:e:${i}}`, plantedEntry(entry(i, tagVersions)));
        await pipeline.exec();
      } else {
        await Promise.all(batch.map((i) => client.set(`{${ns}:e:${i}}`, plantedEntry(entry(i, tagVersions)))));
      }
    }
    const sample = Array.from({ length: 500 }, () => Math.floor(Math.random() * count));
    for (const i of sample.slice(0, 50))
      expect(await engine.read(planFor(`{${ns}:e:${i}}`, [tag]))).toEqual({ hit: true, value: i });

    const before = server && (await commandCount(client));
    expect(await engine.evictTags([tag])).toBe(true);
    // One script (its DEL, the TIME and the SET of the eviction's time count too), plus the INFO itself.
    if (server) expect((await commandCount(client)) - before!).toBe(5);

    for (const i of sample) expect(await engine.read(planFor(`{${ns}:e:${i}}`, [tag]))).toEqual({ hit: false });
  }, 120_000);
});

function entry(value: number, tagVersions: string[]): Buffer {
  return wrap(
    v8Serializer.encode(value),
    { createdAt: Date.now(), freshUntil: 0, loadMs: 1, expiresAt: 0 },
    tagVersions,
  );
}

/** Total commands processed by the server(s), from INFO stats. */
async function commandCount(client: Redis | Cluster): Promise<number> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  let total = 0;
  for (const node of nodes) {
    const info = await node.info('stats');
    total += Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
  }
  return total;
}
