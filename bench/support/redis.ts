import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { scanKeys } from '../../lib/redis/scan-keys.js';

export interface BenchRedis {
  url: string;
  /** 'redis-server x.y.z (started on port N)' or 'REDIS_URL'. */
  origin: string;
  /** Prefix of every key the bench writes, so a shared REDIS_URL server is cleaned precisely. */
  prefix: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function ping(url: string): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys matching `pattern` in SCAN batches; returns how many there were. */
export async function deleteMatching(client: Redis, pattern: string): Promise<number> {
  let count = 0;
  for await (const keys of scanKeys(client, pattern, 1000)) count += await client.unlink(...keys);
  return count;
}

async function deleteByPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await deleteMatching(client, `*${prefix}*`);
  } finally {
    client.disconnect();
  }
}

/**
 * Uses REDIS_URL when set (and deletes only its own keys afterwards); otherwise starts a
 * throwaway redis-server on a free loopback port with persistence off, killed by stop().
 */
export async function startBenchRedis(): Promise<BenchRedis> {
  // The delimiter and random part keep one run's cleanup pattern from matching another run's keys
  // (pid 12 vs 123); at most 29 characters, within the module's namespace limit of 32.
  const prefix = `cachekit-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  const external = process.env.REDIS_URL;
  if (external) {
    const version = await ping(external);
    if (!version) throw new Error(`REDIS_URL=${external} does not answer`);
    return {
      url: external,
      origin: `REDIS_URL (redis ${version})`,
      prefix,
      stop: () => deleteByPrefix(external, prefix),
    };
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-bench-redis-'));
  let child: ChildProcess;
  try {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`cannot start redis-server (${error.message}); set REDIS_URL`))),
  );
  spawnError.catch(() => undefined); // handled by the race below; never an unhandled rejection later
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const started = Date.now();
  for (;;) {
    const version = await Promise.race([ping(url), spawnError]).catch(async (error: Error) => {
      await stop();
      throw error;
    });
    if (version) return { url, origin: `redis-server ${version} (port ${port})`, prefix, stop };
    if (Date.now() - started > 10_000) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
