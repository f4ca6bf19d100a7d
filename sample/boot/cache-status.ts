import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';

/**
 * How long the banner waits for Redis to answer, on top of the module's own wait at boot: a dead
 * or silent Redis delays the start by this much at most (the cache fails open meanwhile).
 */
const ANSWER_WAIT_MS = 1_000;

/**
 * What the boot banner says of the cache: the in-memory store, Redis at its URL (credentials
 * left out) when it answers a PING, or that it does not answer yet; then Redis answering later
 * is logged once.
 * @example `cache: ${await cacheStatus(app.get(CACHEKIT_REDIS), options.redis, logger)}`
 */
export async function cacheStatus(
  client: Redis | Cluster | null,
  url: string | undefined,
  logger: Logger,
): Promise<string> {
  if (!client || !url) return 'in-memory (this process only)';
  const where = `Redis at ${withoutCredentials(url)}`;
  if (await answers(client, ANSWER_WAIT_MS)) return where;
  client.once('ready', () => logger.log(`${where} answers now: entries are cached there`));
  return `${where}, not reachable yet: serving from the database until it answers`;
}

// 'ready' alone is not enough: a server frozen after the handshake stays 'ready' to ioredis.
function answers(client: Redis | Cluster, waitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      client.off('ready', ping);
      resolve(answered);
    };
    const ping = () => {
      client.ping().then(
        () => finish(true),
        () => finish(false),
      );
    };
    const timer = setTimeout(() => finish(false), waitMs);
    if (client.status === 'ready') ping();
    else client.once('ready', ping);
  });
}

function withoutCredentials(url: string): string {
  const { protocol, host, pathname } = new URL(url);
  return `${protocol}//${host}${pathname === '/' ? '' : pathname}`;
}
