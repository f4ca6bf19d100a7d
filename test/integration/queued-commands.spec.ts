import { INestApplicationContext } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { startRestartableRedis } from '../support/restartable-redis.js';

// ioredis queues each command awaiting its reply in an object literal, which V8 may move to the
// old generation after a burst (see lib/redis/queued-commands.ts). The module's clients queue
// instances of a class instead, on every connection, and nothing else about the queue changes.
const queued = (client: Redis) =>
  Array.from({ length: client.commandQueue.length }, (_, i) => client.commandQueue.peekAt(i)!);

const ready = (client: Redis) =>
  new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));

async function expectClassEntries(client: Redis): Promise<void> {
  const replies = Array.from({ length: 50 }, (_, i) => client.echo(String(i)));
  const entries = queued(client);
  expect(entries.filter((entry) => entry.command.name === 'echo').length).toBe(50);
  for (const entry of entries) expect(Object.getPrototypeOf(entry)).not.toBe(Object.prototype);
  expect(await Promise.all(replies)).toEqual(replies.map((_, i) => String(i)));
  expect(client.commandQueue.length).toBe(0);
}

describe("the queue of commands awaiting replies on the module's clients", () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('holds class instances, on the first connection and after a reconnect', async () => {
    const server = await startRestartableRedis();
    try {
      app = await bootApp({ redis: server.url, namespace: uniqueNamespace() });
      const client = app.get<Redis>(CACHEKIT_REDIS);
      await expectClassEntries(client);

      await server.stop();
      await server.start();
      await ready(client);
      await expectClassEntries(client);
    } finally {
      await app?.close();
      app = undefined;
      await server.dispose();
    }
  });

  it('holds class instances on every node of a Cluster', async () => {
    app = await bootApp({ redis: { cluster: inject('clusterNodes') }, namespace: uniqueNamespace() });
    const cluster = app.get<Cluster>(CACHEKIT_REDIS);
    await cluster.set('queued:{a}', '1');
    const nodes = cluster.nodes('master');
    expect(nodes.length).toBe(3);
    for (const node of nodes) {
      await node.ping(); // nodes connect on their first command
      await expectClassEntries(node);
    }
  });

  it('leaves a client the app passed in as it is', async () => {
    const own = new Redis(inject('redisUrl'));
    try {
      app = await bootApp({ redis: own, namespace: uniqueNamespace() });
      await ready(own);
      const reply = own.ping();
      expect(Object.getPrototypeOf(queued(own)[0])).toBe(Object.prototype);
      expect(await reply).toBe('PONG');
    } finally {
      await app?.close();
      app = undefined;
      own.disconnect();
    }
  });
});
