#!/usr/bin/env node
// `npm run load`: steady traffic on the sample's read endpoints (autocannon, loopback only) plus a
// few writes per second, while Redis is killed, restarted, frozen and slowed behind a fault proxy.
// Prints per phase: requests, non-2xx, p50/p99/max latency, hit ratio, origin loads per second and
// calls answered by the outage fallback; writes a JSON file. Bounded in time (every phase has a fixed duration) and stops by itself.
// Usage: npm run load [-- --short] [-- --json file] [-- --phase-seconds N]
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    json: { type: 'string', default: join(root, '.tmp', 'load-results.json') },
    'phase-seconds': { type: 'string' },
  },
});
const PHASE_SECONDS = Number(args['phase-seconds'] ?? (args.short ? 3 : 6));
const CONNECTIONS = 20;
const WRITES_PER_SECOND = 4;
const PRODUCTS = 20;
const CATEGORIES = 4;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of our own (no persistence) that can be killed, restarted on its port and frozen. */
async function startRedis(port, dir) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (await answers(port)) return child;
    await sleep(50);
  }
  throw new Error(`redis-server on ${port} did not start`);
}

async function answers(port) {
  const { Redis } = await import('ioredis');
  const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The fault proxy of the test support, in a child process of its own (our event loop is busy). */
async function startProxy(target) {
  const child = fork(join(root, 'test/support/fault-proxy.child.mjs'), [], {
    env: { ...process.env, FAULT_PROXY_CHILD: '1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let next = 1;
  const waiting = new Map();
  child.on('message', ({ id, result, error }) => {
    const waiter = waiting.get(id);
    waiting.delete(id);
    if (error !== undefined) waiter?.reject(new Error(error));
    else waiter?.resolve(result);
  });
  const call = (method, callArgs) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, method, args: callArgs.map((a) => a ?? null) });
    });
  const port = await call('start', [{ target: { host: '127.0.0.1', port: target } }]);
  return { port, set: (fault) => call('set', [fault]), stop: () => call('stop', []).catch(() => child.kill()) };
}

/** The built sample (scripts/build-sample.mjs) in a process of its own, cwd a scratch dir (its SQLite file). */
async function startSample(redisUrl, cwd) {
  const child = spawn(process.execPath, [join(root, '.sample-build/sample/main.js')], {
    cwd,
    env: { ...process.env, PORT: '0', REDIS_URL: redisUrl, STATS_DELAY_MS: '50' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the sample did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /Listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.resume();
        resolve({ child, url: `http://127.0.0.1:${match[1]}` });
      }
    });
    child.once('exit', (code) => reject(new Error(`the sample exited (${code}):\n${output}`)));
  });
}

/** Totals over every cache name of the sample's /cache/stats. */
async function cacheTotals(url) {
  const stats = await (await fetch(`${url}/cache/stats`)).json();
  const sum = (field) => Object.values(stats).reduce((total, s) => total + (s[field] ?? 0), 0);
  const byCache = Object.fromEntries(Object.entries(stats).map(([name, s]) => [name, s.loads]));
  return {
    hits: sum('hits') + sum('staleHits'),
    misses: sum('misses'),
    loads: sum('loads'),
    // Answered in-process while Redis was unavailable (outage fallback) or by the last good value (fail-safe).
    outageHits: sum('outageHits'),
    failSafeHits: sum('failSafeHits'),
    byCache,
    stats,
  };
}

function readRequests() {
  const paths = [];
  for (let id = 1; id <= PRODUCTS; id++) paths.push(`/products/${id}`);
  for (let c = 1; c <= CATEGORIES; c++) paths.push(`/products?category=${c}`, `/categories/${c}/stats`);
  paths.push('/products', '/categories');
  return paths.map((path) => ({ method: 'GET', path }));
}

/** PATCHes at a steady rate while a phase runs; counts what did not answer 2xx. */
function writeLoop(url) {
  const counts = { sent: 0, failed: 0 };
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const id = 1 + Math.floor(Math.random() * PRODUCTS);
      const price = Math.round(10 + Math.random() * 500);
      counts.sent++;
      try {
        const response = await fetch(`${url}/products/${id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ price }),
        });
        if (!response.ok) counts.failed++;
        await response.arrayBuffer();
      } catch {
        counts.failed++;
      }
      await sleep(1000 / WRITES_PER_SECOND);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
      return counts;
    },
  };
}

async function runPhase(name, url, enter) {
  await enter?.();
  const before = await cacheTotals(url);
  const writes = writeLoop(url);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: PHASE_SECONDS,
    requests: readRequests(),
  });
  const written = await writes.stop();
  const after = await cacheTotals(url);
  const store = await (await fetch(`${url}/cache/store`)).json();
  const hits = after.hits - before.hits;
  const reads = hits + after.misses - before.misses;
  return {
    phase: name,
    requests: result.requests.total,
    non2xx: result.non2xx + result.errors + result.timeouts,
    writes: written.sent,
    failedWrites: written.failed,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    hitRatio: reads === 0 ? 0 : hits / reads,
    originLoads: after.loads - before.loads,
    originLoadsPerSecond: (after.loads - before.loads) / PHASE_SECONDS,
    outageHits: after.outageHits - before.outageHits,
    failSafeHits: after.failSafeHits - before.failSafeHits,
    loadsByCache: Object.fromEntries(
      Object.entries(after.byCache).map(([name, loads]) => [name, loads - (before.byCache[name] ?? 0)]),
    ),
    storeErrorsByCache: Object.fromEntries(
      Object.entries(after.stats).map(([name, s]) => [name, s.storeErrors - (before.stats[name]?.storeErrors ?? 0)]),
    ),
    storeAtEnd: { breaker: store.breaker, pendingEvictions: store.pendingEvictions, lastFailure: store.lastFailure },
  };
}

function render(rows) {
  const head =
    '| phase | requests | non-2xx | writes (failed) | p50 ms | p99 ms | max ms | hit ratio | origin loads/s | outage hits |';
  const line = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const body = rows.map(
    (r) =>
      `| ${r.phase} | ${r.requests} | ${r.non2xx} | ${r.writes} (${r.failedWrites}) | ${r.p50Ms} | ${r.p99Ms} | ` +
      `${r.maxMs} | ${r.hitRatio.toFixed(3)} | ${r.originLoadsPerSecond.toFixed(1)} | ${r.outageHits} |`,
  );
  return [head, line, ...body].join('\n');
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-load-'));
  const redisPort = await freePort();
  let redis = await startRedis(redisPort, dir);
  const proxy = await startProxy(redisPort);
  const sample = await startSample(`redis://127.0.0.1:${proxy.port}`, dir);
  const rows = [];
  try {
    await runPhase('warm-up', sample.url); // not reported: fills the cache
    rows.push(await runPhase('before', sample.url));
    rows.push(await runPhase('redis killed (SIGKILL)', sample.url, async () => redis.kill('SIGKILL')));
    rows.push(
      await runPhase('redis restarted, empty', sample.url, async () => {
        redis = await startRedis(redisPort, dir);
      }),
    );
    rows.push(await runPhase('redis frozen (SIGSTOP)', sample.url, async () => redis.kill('SIGSTOP')));
    rows.push(await runPhase('redis thawed', sample.url, async () => redis.kill('SIGCONT')));
    rows.push(await runPhase('500 ms latency on every hop', sample.url, () => proxy.set({ kind: 'latency', ms: 500 })));
    rows.push(await runPhase('after', sample.url, () => proxy.set({ kind: 'pass' })));
  } finally {
    sample.child.kill('SIGTERM');
    await proxy.stop();
    redis.kill('SIGCONT');
    redis.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${render(rows)}\n`);
  writeFileSync(
    args.json,
    `${JSON.stringify({ phaseSeconds: PHASE_SECONDS, connections: CONNECTIONS, rows }, null, 2)}\n`,
  );
  console.log(`results written to ${args.json}`);
  const failed = rows.filter((r) => r.non2xx > 0 || r.failedWrites > 0);
  if (failed.length > 0) {
    console.error(`non-2xx answers in: ${failed.map((r) => r.phase).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`load test failed: ${error.stack ?? error}`);
  process.exit(1);
});
