import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cachekitContenders } from '../contenders/cachekit.js';
import { startBenchRedis } from '../support/redis.js';
import { Recorder, quantilesMs, timeConcurrent, timeSerial } from '../support/measure.js';
import { stampedeRound } from '../scenarios/stampede-round.js';
import { jsonValue } from '../support/value.js';

/**
 * A small driver to profile the L1 hit through `@Cacheable` and the one-process stampede, e.g.
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof .bench-build/bench/profiles/hot-path.js hit`.
 * Prints ops/s, the median and the event-loop delay; `stampede` prints the waiters' p50/p99. The
 * third argument is the budget (ms) or rounds, the fourth the setup (`redis`, `memory`, default `L1 + redis`).
 */
async function main(): Promise<void> {
  const what = process.argv[2] ?? 'hit';
  const redis = await startBenchRedis();
  const group = await cachekitContenders(redis.url, `profile${process.pid}`);
  const contender = group.contenders.find(
    (c) => c.name === `cachekit @Cacheable (${process.argv[4] ?? 'L1 + redis'})`,
  )!;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  try {
    if (what === 'hit') {
      const keys = Array.from({ length: 64 }, (_, lane) => `profile:hit:${lane}`);
      const load = async () => jsonValue();
      for (const key of keys) await contender.getOrLoad(key, load);
      const budget = { warmupMs: 500, measureMs: Number(process.argv[3] ?? 3000), maxOps: 5_000_000 };
      const serial = new Recorder(budget.maxOps);
      const concurrent = new Recorder(budget.maxOps);
      delay.enable();
      await timeSerial(() => contender.getOrLoad(keys[0], load), budget, serial);
      // CPU time, not wall time: on a shared machine the process is often descheduled.
      const read = (lane: number) => contender.getOrLoad(keys[lane], load);
      await timeConcurrent(read, 64, budget, new Recorder(budget.maxOps));
      const cpu = process.cpuUsage();
      await timeConcurrent(read, 64, { ...budget, warmupMs: 0 }, concurrent);
      const used = process.cpuUsage(cpu);
      delay.disable();
      const s = serial.summarize();
      const c = concurrent.summarize();
      const cpuUsPerOp = (used.user + used.system) / c.ops;
      console.log(
        `serial median ${s.medianUs.toFixed(2)} µs; 64 in flight ${Math.round(c.opsPerSec)} ops/s (wall), ` +
          `${cpuUsPerOp.toFixed(2)} CPU µs per op = ${Math.round(1e6 / cpuUsPerOp)} ops per CPU second`,
      );
    } else {
      const rounds = Number(process.argv[3] ?? 10);
      const all: number[] = [];
      await stampedeRound(contender, 'profile:stampede:warm', 1000, 50);
      delay.enable();
      for (let round = 0; round < rounds; round++) {
        const result = await stampedeRound(contender, `profile:stampede:${Date.now()}:${round}`, 1000, 50);
        all.push(...result.latenciesMs);
        if (result.errors > 0 || result.loaderRuns !== 1) console.log(`round ${round}: ${JSON.stringify(result)}`);
      }
      delay.disable();
      const q = quantilesMs(all);
      console.log(
        `stampede waiters: p50 ${q.medianMs.toFixed(1)} ms, p99 ${q.p99Ms.toFixed(1)} ms, max ${q.maxMs.toFixed(1)} ms`,
      );
    }
    console.log(
      `event-loop delay: p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
    );
  } finally {
    await group.close();
    await redis.stop();
  }
}

await main();
