import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { freePort } from './redis-server.js';

const run = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';

export interface PostgresServer {
  url: string;
  /** Restarts the server on the same port and data directory (`pg_ctl restart -m fast`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest PostgreSQL server binaries Debian's `postgresql` package installed, if any. */
export function findPostgresBin(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((version) => existsSync(join(PG_ROOT, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(PG_ROOT, versions[0], 'bin');
}

/**
 * Starts a throwaway PostgreSQL server (trust auth, loopback only, no fsync) in a temporary
 * directory on a free port. The server refuses to run as root, so under root it runs as the
 * `postgres` user (runuser) on a directory that user owns.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      `PostgreSQL server binaries not found under ${PG_ROOT}/<version>/bin. Install them with ` +
        `'apt-get install -y postgresql' (as root), or set DATABASE_URL to a server the tests may use.`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-pg-'));
  if (asRoot) {
    const [uid, gid] = await Promise.all([idOf('-u'), idOf('-g')]);
    chownSync(dir, uid, gid);
  }
  const exec = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), args);
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
      // Logical replication for the CDC tests: each test uses a slot of its own and drops it.
      '-c wal_level=logical',
      '-c max_replication_slots=40',
      '-c max_wal_senders=40',
      '-c max_slot_wal_keep_size=1GB',
    ];
    await exec('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      settings.join(' '),
      'start',
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL from ${bin}: ${(error as Error).message}`, { cause: error });
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitForPostgres(url);
  return {
    url,
    restart: async () => {
      await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-m', 'fast', 'restart']);
      await waitForPostgres(url);
    },
    stop: async () => {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  return Number((await run('id', [flag, 'postgres'])).stdout.trim());
}

async function waitForPostgres(url: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const probe = new DataSource({ type: 'postgres', url });
    try {
      await probe.initialize();
      await probe.query('SELECT 1');
      await probe.destroy();
      return;
    } catch (error) {
      if (probe.isInitialized) await probe.destroy().catch(() => undefined);
      if (Date.now() - started > timeoutMs)
        throw new Error(`PostgreSQL at ${url} did not answer: ${error}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Why logical replication cannot be tested against `url` (wal_level is not logical, e.g. a
 * DATABASE_URL server set up without it), or undefined when it can.
 */
export async function logicalReplicationUnavailable(url: string): Promise<string | undefined> {
  const probe = await new DataSource({ type: 'postgres', url, extra: { max: 1 } }).initialize();
  try {
    const [{ wal_level: level }] = (await probe.query('SHOW wal_level')) as { wal_level: string }[];
    return level === 'logical'
      ? undefined
      : `CDC tests skipped: the PostgreSQL server at DATABASE_URL runs with wal_level=${level}; they need ` +
          `wal_level=logical (or unset DATABASE_URL so the tests start their own server).`;
  } finally {
    await probe.destroy();
  }
}
