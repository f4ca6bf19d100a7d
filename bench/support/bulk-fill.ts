import { Redis } from 'ioredis';

/** Entries written per pipeline, i.e. per round trip. */
const PIPELINE_SIZE = 500;

/** Runs `op(from..to-1)` with `concurrency` calls in flight. */
export async function runWithConcurrency(
  from: number,
  to: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, to - from) }, async () => {
      while (next < to) await op(next++);
    }),
  );
}

/** Runs `add(pipeline, i)` for from..to-1, sending one pipeline per PIPELINE_SIZE entries; throws the first failure. */
export async function writeInPipelines(
  redis: Redis,
  from: number,
  to: number,
  add: (pipeline: ReturnType<Redis['pipeline']>, i: number) => void,
): Promise<void> {
  for (let start = from; start < to; start += PIPELINE_SIZE) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(to, start + PIPELINE_SIZE); i++) add(pipeline, i);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }
}
