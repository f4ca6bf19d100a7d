/** One request of an open-loop run. Times are `performance.now()` milliseconds. */
export interface OpenLoopSample {
  /** When the request was due: the run's start plus index / rate. */
  scheduledMs: number;
  /** From the scheduled time (not the actual call) to settling: includes any wait to be issued. */
  latencyMs: number;
  failed: boolean;
}

export interface OpenLoopResult {
  samples: OpenLoopSample[];
  startedMs: number;
  /** Requests still unsettled after the drain bound (also counted as failed). */
  hung: number;
}

/**
 * Open-loop traffic: request i is due at start + i / rate, whether or not earlier ones have
 * settled, so a slow refill shows up as queueing instead of slowing the arrivals down (a closed
 * loop would hide it). A 1 ms timer issues every request that has come due since the last tick;
 * spinning on setImmediate would take a whole core from Redis and the other rows. Latency is
 * measured from the scheduled time, so it includes that pacing delay (under 1.5 ms when the event
 * loop keeps up) and any event-loop lag.
 */
export async function runOpenLoop(
  settings: { ratePerSecond: number; durationMs: number; drainMs: number },
  request: (index: number) => Promise<unknown>,
): Promise<OpenLoopResult> {
  const intervalMs = 1000 / settings.ratePerSecond;
  const total = Math.floor((settings.durationMs * settings.ratePerSecond) / 1000);
  const samples: OpenLoopSample[] = new Array(total);
  const pending: Promise<void>[] = [];
  const startedMs = performance.now();
  let issued = 0;

  const issue = (index: number) => {
    const scheduledMs = startedMs + index * intervalMs;
    const settle = (failed: boolean) => {
      samples[index] = { scheduledMs, latencyMs: performance.now() - scheduledMs, failed };
    };
    let call: Promise<unknown>;
    try {
      call = request(index);
    } catch (error) {
      call = Promise.reject(error);
    }
    pending.push(
      call.then(
        () => settle(false),
        () => settle(true),
      ),
    );
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - startedMs) / intervalMs) + 1);
      while (issued < due) issue(issued++);
      if (issued >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });

  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, settings.drainMs)))]);
  clearTimeout(timer);
  let hung = 0;
  for (let index = 0; index < total; index++) {
    if (samples[index]) continue;
    hung++;
    samples[index] = { scheduledMs: startedMs + index * intervalMs, latencyMs: Infinity, failed: true };
  }
  return { samples, startedMs, hung };
}
