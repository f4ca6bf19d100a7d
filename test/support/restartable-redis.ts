import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForRedis } from './redis-server.js';

export interface RestartableRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM: the append-only file is flushed, so the data survives). */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL); with fsync on every write, what it confirmed survives. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory, with the data it had. */
  start(): Promise<void>;
  /** Stops it if running and removes its directory. */
  dispose(): Promise<void>;
}

/** A private redis-server that keeps its data across a stop and a restart on the same port. */
export async function startRestartableRedis(): Promise<RestartableRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-redis-aof-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    // Append-only with fsync on every write, so nothing written before a stop is lost.
    const persistence = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...persistence], {
      stdio: 'ignore',
    });
    await waitForRedis(port);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => stop(),
    kill: () => stop('SIGKILL'),
    start,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
