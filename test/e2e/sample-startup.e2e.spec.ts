import { Server, Socket, createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { SampleProcess, buildSample, startSample } from '../fixtures/sample-app.fixture.js';
import { startRestartableRedis } from '../support/restartable-redis.js';

// The boot banner: `Listening on http://localhost:PORT (database: ...; cache: ...)`.
const BANNER = /Listening on (http:\/\/\S+) \((.*)\)$/m;
const STACK_FRAME = /^\s+at /m;

/** A TCP server on a free port of every interface (as the sample listens), until closed. */
async function listening(onConnection: (socket: Socket) => void = () => {}): Promise<{ port: number; server: Server }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, resolve);
  });
  return { port: (server.address() as { port: number }).port, server };
}

/** The one line a refused start prints last on stderr; asserts it printed no stack. */
function lastErrorLine(stderr: string): string {
  expect(stderr).not.toMatch(STACK_FRAME);
  return stderr.trim().split('\n').at(-1) ?? '';
}

// `npm start` as a user runs it: the built sample in a process of its own, SQLite in its directory.
describe('starting the sample (npm start)', () => {
  const running: SampleProcess[] = [];
  const start = (env: Record<string, string>) => {
    const sample = startSample(env);
    running.push(sample);
    return sample;
  };

  beforeAll(buildSample, 60_000);
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sample) => sample.stop()));
  });

  it('refuses a PORT that is not a port number with one line naming it, and exits 1', { timeout: 20_000 }, async () => {
    const [word, tooLarge] = await Promise.all([start({ PORT: 'abc' }).ended, start({ PORT: '65536' }).ended]);
    for (const [run, value] of [
      [word, 'abc'],
      [tooLarge, '65536'],
    ] as const) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(lastErrorLine(run.stderr)).toMatch(new RegExp(`^PORT must be .*; got '${value}'`));
      // Refused before the app booted: no database was opened.
      expect(run.stdout).not.toMatch(/Starting Nest application/);
    }
  });

  it('reports a port already in use in one line saying what to do, and exits 1', { timeout: 20_000 }, async () => {
    const taken = await listening();
    try {
      const run = await start({ PORT: String(taken.port) }).ended;
      expect(run.code, run.stderr).toBe(1);
      expect(lastErrorLine(run.stderr)).toMatch(new RegExp(`^Port ${taken.port} is already in use: .*PORT`));
    } finally {
      taken.server.close();
    }
  });

  // REDIS_URL stands for the variables read at boot (DATABASE_URL, STATS_DELAY_MS), STATS_FRESH for
  // those read while the modules load; two processes, so the test stays quick on a busy machine.
  it('refuses a bad REDIS_URL or STATS_FRESH in one line naming it', { timeout: 20_000 }, async () => {
    const bad = { REDIS_URL: 'http://cache:6379', STATS_FRESH: 'soon' };
    const runs = await Promise.all(Object.entries(bad).map(([name, value]) => start({ [name]: value }).ended));
    for (const [i, name] of Object.keys(bad).entries()) {
      expect(runs[i].code, runs[i].stderr).toBe(1);
      expect(lastErrorLine(runs[i].stderr)).toMatch(new RegExp(`^${name} must be `));
    }
  });

  it(
    'names the Redis it caches in when Redis answers, without the password of its URL',
    { timeout: 20_000 },
    async () => {
      const redisUrl = inject('redisUrl');
      // The test server has no password: Redis answers AUTH with an error that ioredis lets pass.
      const withPassword = redisUrl.replace('redis://', 'redis://:s3cret@');
      const [banner, , details] = await start({ PORT: '0', REDIS_URL: withPassword }).waitFor(BANNER);
      expect(details).toMatch(/^database: SQLite \S+catalogue\.sqlite; /);
      expect(details).toMatch(new RegExp(`; cache: Redis at ${redisUrl}$`));
      expect(banner).not.toContain('s3cret');
    },
  );

  it('says the cache is in-memory without REDIS_URL', { timeout: 20_000 }, async () => {
    const [, url, details] = await start({ PORT: '0' }).waitFor(BANNER);
    expect(details).toMatch(/; cache: in-memory/);
    expect((await fetch(`${url}/products/1`)).status).toBe(200);
  });

  it(
    'says a Redis that is down is not reachable yet, serves from the database, and says when it answers',
    { timeout: 20_000 },
    async () => {
      const redis = await startRestartableRedis();
      try {
        await redis.stop();
        const sample = start({ PORT: '0', REDIS_URL: redis.url });
        const [, url, details] = await sample.waitFor(BANNER);
        expect(details).toContain(
          `cache: Redis at ${redis.url}, not reachable yet: serving from the database until it answers`,
        );
        const product = await fetch(`${url}/products/1`);
        expect(product.status).toBe(200);
        expect(await product.json()).toMatchObject({ id: 1, name: 'Desk lamp' });

        await redis.start();
        await sample.waitFor(new RegExp(`Redis at ${redis.url} answers now`));
      } finally {
        await redis.dispose();
      }
    },
  );

  it('does not wait long for a Redis that accepts connections but never answers', { timeout: 20_000 }, async () => {
    const sockets: Socket[] = [];
    const silent = await listening((socket) => sockets.push(socket));
    try {
      const url = `redis://127.0.0.1:${silent.port}`;
      const [, , details] = await start({ PORT: '0', REDIS_URL: url }).waitFor(BANNER);
      expect(details).toContain(`cache: Redis at ${url}, not reachable yet`);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.server.close();
    }
  });
});
