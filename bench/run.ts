// `npm run bench`: every scenario against every contender in one run, on this machine, printed
// as Markdown tables with ratios to the floor row of the same run. See bench/README.md.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openContenders } from './contenders/all.js';
import { ContenderGroup } from './contenders/contender.js';
import { runBatch } from './scenarios/batch.js';
import { runBridgeLatency } from './scenarios/bridge-latency.js';
import { runClear } from './scenarios/clear.js';
import { runCommitToEvict } from './scenarios/commit-to-evict.js';
import { expiryStormSettings, runExpiryStorm } from './scenarios/expiry-storm.js';
import { failSafeSettings, runFailSafe } from './scenarios/fail-safe.js';
import { runFeatureOverhead } from './scenarios/feature-overhead.js';
import { runHitPath } from './scenarios/hit-path.js';
import { hotKeysSettings, runHotKeys } from './scenarios/hot-keys.js';
import { runObservabilityCost } from './scenarios/observability-cost.js';
import { runSerializers } from './scenarios/serializers.js';
import { runStampedeProcesses } from './scenarios/stampede-processes.js';
import { runStampede } from './scenarios/stampede.js';
import { runTagInvalidation } from './scenarios/tag-invalidation.js';
import { describeEnvironment, loadAverageNow, renderEnvironment } from './support/environment.js';
import { Budget } from './support/measure.js';
import { BenchRedis, startBenchRedis } from './support/redis.js';
import { Table, renderTable } from './support/table.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const SCENARIOS = [
  'hit-path',
  'batch',
  'stampede',
  'stampede-processes',
  'expiry-storm',
  'hot-keys',
  'fail-safe',
  'serializers',
  'tag-invalidation',
  'bridge-latency',
  'commit-to-evict',
  'clear',
  'feature-overhead',
  'observability-cost',
] as const;
const only = args.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !(SCENARIOS as readonly string[]).includes(name)) ?? [];
if (unknown.length > 0) {
  console.error(`--only: unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
/** Whether this run includes the scenario (all of them unless --only names some). */
const wants = (scenario: (typeof SCENARIOS)[number]) => only === undefined || only.includes(scenario);

if (args.help) {
  console.log(
    `usage: npm run bench [-- --quick] [-- --json results.json] [-- --only ${SCENARIOS.join(',')}]\nREDIS_URL uses that server instead of starting one.`,
  );
  process.exit(0);
}

const budget = (warmupMs: number, measureMs: number): Budget => ({ warmupMs, measureMs, maxOps: 2_000_000 });

// Full: about 2.5 minutes on 2 cores. Quick: a smoke run of about 40 s, numbers only indicative.
const SETTINGS = args.quick
  ? {
      hit: budget(50, 200),
      passes: 1,
      codec: budget(20, 60),
      rounds: 2,
      processRounds: 1,
      invalidation: { entries: 10_000, apiWrites: 1_000, commits: 50 },
      clear: [1_000, 10_000],
      overhead: { hit: budget(30, 100), set: budget(20, 50) },
      observability: {
        profileMs: 500,
        rounds: 2,
        intervalUs: 50,
        groups: 0,
        blockOps: { 'L1 hit': 16_384, 'Redis hit': 640 },
      },
    }
  : {
      hit: budget(150, 400),
      passes: 3,
      codec: budget(50, 150),
      rounds: 5,
      processRounds: 3,
      invalidation: { entries: 100_000, apiWrites: 2_000, commits: 200 },
      clear: [1_000, 100_000],
      overhead: { hit: budget(60, 150), set: budget(30, 80) },
      observability: {
        profileMs: 1500,
        rounds: 4,
        intervalUs: 50,
        // Blocks of about a quarter second: shorter ones left the A/A control's IQR at ±35%.
        groups: 16,
        blockOps: { 'L1 hit': 262_144, 'Redis hit': 8_192 },
      },
    };
const CONCURRENCY = 64;
const STAMPEDE = { callers: 1000, loaderMs: 50, processes: 4 };

const progress = (line: string) => process.stderr.write(`  … ${line}\n`);
const tables: Table[] = [];
const show = (table: Table) => {
  tables.push(table);
  console.log(`\n${renderTable(table)}`);
};

let redis: BenchRedis | undefined;
let group: ContenderGroup | undefined;

async function cleanup(): Promise<void> {
  const open = group;
  group = undefined;
  await open?.close().catch((error: Error) => console.error(`closing contenders: ${error.message}`));
  const server = redis;
  redis = undefined;
  await server?.stop().catch((error: Error) => console.error(`stopping redis: ${error.message}`));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping redis-server and exiting`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  redis = await startBenchRedis();
  const env = describeEnvironment(redis.origin);
  console.log(renderEnvironment(env, args.quick ? 'quick smoke run: numbers are indicative only' : 'full run'));
  const prefix = redis.prefix;

  group = await openContenders(redis.url, prefix);
  if (wants('hit-path')) {
    const hit = { serial: SETTINGS.hit, concurrent: SETTINGS.hit, passes: SETTINGS.passes, concurrency: CONCURRENCY };
    for (const table of await runHitPath(group.contenders, { ...hit, prefix }, progress)) show(table);
  }
  if (wants('batch')) show(await runBatch({ ids: 100, rounds: 200, prefix, redisUrl: redis.url }, progress));
  if (wants('stampede')) {
    show(await runStampede(group.contenders, { ...STAMPEDE, rounds: SETTINGS.rounds, prefix }, progress));
  }
  if (wants('stampede-processes')) {
    const settings = { ...STAMPEDE, rounds: SETTINGS.processRounds, prefix, redisUrl: redis.url };
    show(await runStampedeProcesses(group.contenders, settings, progress));
  }
  if (wants('expiry-storm')) {
    const settings = { ...expiryStormSettings(args.quick), prefix, redisUrl: redis.url };
    for (const table of await runExpiryStorm(settings, progress)) show(table);
  }
  if (wants('hot-keys')) {
    show(await runHotKeys({ ...hotKeysSettings(args.quick), prefix, redisUrl: redis.url }, progress));
  }
  if (wants('fail-safe')) {
    for (const table of await runFailSafe(failSafeSettings(args.quick, prefix, redis.url), progress)) show(table);
  }
  if (wants('serializers')) {
    for (const table of runSerializers(SETTINGS.codec, SETTINGS.passes, progress)) show(table);
  }
  const invalidation = { ...SETTINGS.invalidation, prefix, redisUrl: redis.url };
  if (wants('tag-invalidation')) show(await runTagInvalidation(invalidation, progress));
  if (wants('bridge-latency')) show(await runBridgeLatency(invalidation, progress));
  if (wants('commit-to-evict')) {
    show(await runCommitToEvict({ ...invalidation, databaseUrl: process.env.DATABASE_URL }, progress));
  }
  if (wants('clear')) show(await runClear({ sizes: SETTINGS.clear, prefix, redisUrl: redis.url }, progress));
  if (wants('feature-overhead')) {
    const settings = { ...SETTINGS.overhead, passes: SETTINGS.passes, concurrency: CONCURRENCY };
    for (const table of await runFeatureOverhead({ ...settings, prefix, redisUrl: redis.url }, progress)) show(table);
  }
  if (wants('observability-cost')) {
    const settings = { ...SETTINGS.observability, concurrency: CONCURRENCY, prefix, redisUrl: redis.url };
    for (const table of await runObservabilityCost(settings, progress)) show(table);
  }

  await cleanup();
  const seconds = (Date.now() - started) / 1000;
  const loadAtEnd = loadAverageNow();
  console.log(`\nfinished in ${seconds.toFixed(0)} s; load average at end (1/5/15 min): ${loadAtEnd.join(' / ')}`);
  if (args.json) {
    writeFileSync(
      args.json,
      `${JSON.stringify({ environment: env, quick: args.quick, seconds, loadAtEnd, tables }, null, 2)}\n`,
    );
    console.log(`results written to ${args.json}`);
  }
}

main().catch(async (error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  await cleanup();
  process.exit(1);
});
