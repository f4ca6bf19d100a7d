import { expect } from 'vitest';
import { CacheKitModuleOptions } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';

/** The per-operation deadline the fail-open scenarios configure. */
export const DEADLINE_MS = 100;
/** Slack on top of origin + deadline: scheduling and timer lateness on a loaded 2-core machine. */
export const MARGIN_MS = 150;
export const BREAKER_FAILURES = 3;
export const BREAKER_COOLDOWN_MS = 300;

export function failOpenOptions(redis: string, overrides: CacheKitModuleOptions = {}): CacheKitModuleOptions {
  return {
    redis,
    namespace: uniqueNamespace(),
    operationTimeout: DEADLINE_MS,
    // These scenarios count what reaches the origin with the store down: no outage fallback in between
    // (test/fail-safe/outage-fallback.spec.ts covers it under the same faults).
    outageFallback: false,
    breaker: { failures: BREAKER_FAILURES, cooldown: `${BREAKER_COOLDOWN_MS}ms` },
    ...overrides,
  };
}

export type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number };

/** Runs one call, measuring it, and settles instead of throwing so the test can inspect either outcome. */
export async function timed<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  const started = performance.now();
  try {
    const value = await call();
    return { ok: true, value, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - started };
  }
}

/**
 * The fail-open latency guarantee: a call costs at most the origin's time plus one store deadline
 * (plus scheduling slack). Only an upper bound is asserted; that bound is the guarantee under test.
 */
export async function expectBounded<T>(
  call: () => Promise<T>,
  originMs: number,
  deadlineMs = DEADLINE_MS,
): Promise<Outcome<T>> {
  const outcome = await timed(call);
  expect(outcome.ms, `call took ${outcome.ms.toFixed(0)} ms`).toBeLessThan(originMs + deadlineMs + MARGIN_MS);
  return outcome;
}
