import { describe, expect, it } from 'vitest';
import { defineCache } from '../../lib/index.js';
import { resolveOptions } from '../../lib/options/cachekit-options.validator.js';

describe('fail-safe and timeout options: bad input is refused, naming the option', () => {
  it('failSafe.maxAge shorter than the ttl', () => {
    expect(() => defineCache({ name: 'p', ttl: '10m', failSafe: { maxAge: '5m' } })).toThrow(
      /defineCache\('p'\): option 'failSafe.maxAge' \(300000 ms\) must be longer than the entry's life \(600000 ms/,
    );
    expect(() => defineCache({ name: 'p', swr: { fresh: '1m', stale: '1h' }, failSafe: { maxAge: '30m' } })).toThrow(
      /failSafe.maxAge/,
    );
    expect(() => resolveOptions({ defaultTtl: '1h', failSafe: { maxAge: '10m' } })).toThrow(
      /against 'defaultTtl'\): option 'failSafe.maxAge'/,
    );
  });

  it('timeout.soft not shorter than timeout.hard', () => {
    expect(() => defineCache({ name: 'p', timeout: { soft: '2s', hard: '1s' } })).toThrow(
      /option 'timeout.soft' \(2000 ms\) must be shorter than timeout.hard \(1000 ms\)/,
    );
    expect(() => resolveOptions({ timeout: { soft: 500, hard: 500 } })).toThrow(/timeout.soft/);
  });

  it('negative or malformed durations, unknown nested options, loadTimeout and timeout.hard together', () => {
    expect(() => defineCache({ name: 'p', failSafe: { maxAge: -1 } })).toThrow(
      /option 'failSafe.maxAge' must be a positive/,
    );
    expect(() => defineCache({ name: 'p', failSafe: { maxAge: '1d', throttle: -5 } })).toThrow(/failSafe.throttle/);
    expect(() => defineCache({ name: 'p', timeout: { soft: -1 } })).toThrow(/option 'timeout.soft' must be a positive/);
    expect(() => resolveOptions({ timeout: { hard: '-1s' as never } })).toThrow(/timeout.hard/);
    expect(() => defineCache({ name: 'p', failSafe: { maxAge: '1d', throtle: '1s' } as never })).toThrow(
      /Unknown option 'failSafe.throtle'.*Did you mean 'failSafe.throttle'/,
    );
    expect(() => defineCache({ name: 'p', loadTimeout: '1s', timeout: { hard: '2s' } })).toThrow(
      /either 'loadTimeout' or 'timeout.hard'/,
    );
    expect(() => resolveOptions({ outageFallback: { staleness: 0 } })).toThrow(/outageFallback.staleness/);
  });

  it('good input resolves', () => {
    const resolved = resolveOptions({ failSafe: { maxAge: '1d' }, timeout: { soft: '100ms', hard: '2s' } });
    expect(resolved.failSafe).toMatchObject({ maxAgeMs: 86_400_000, throttleMs: 30_000 });
    expect(resolved.loadTimeoutMs).toBe(2_000);
    expect(resolved.timeout).toMatchObject({ softMs: 100, background: true });
    expect(resolved.outageFallback).toEqual({ maxEntries: 1_000, stalenessMs: 5_000 });
  });
});
