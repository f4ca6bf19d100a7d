import { messages } from '../errors/messages.js';
import { TIMER_LIMIT, TTL_LIMIT, parseDuration } from './duration.js';
import type { Duration } from './duration.js';
import { OptionErrorClass, optionNames, rejectUnknownNested } from './known-options.js';

/** The `failSafe` option, on a definition or as the module's default. */
export interface FailSafeOptions {
  /**
   * How long an entry is kept in total (from its load), past its logical expiry, to be served when
   * the origin fails; at least the entry's ttl (or fresh + stale). @example '1d'
   */
  maxAge: Duration;
  /** After serving a fail-safe value, the origin is retried at most once per this, per key, across instances. Default: '30s'. */
  throttle?: Duration;
  /** Which load errors may be answered with the last good value. Default: every error. */
  when?: (error: unknown) => boolean;
}

/** The `timeout` option of loads, on a definition or as the module's default. */
export interface LoadTimeoutOptions {
  /** With a fail-safe value at hand, answer with it after this long; the load goes on and stores its result. Default: off. */
  soft?: Duration;
  /** Callers stop waiting after this long with a `CacheLoadTimeoutError` (or the fail-safe value). Default: off. */
  hard?: Duration;
  /** Whether a load outliving its callers' timeouts still stores its result. Default: true. */
  background?: boolean;
}

/** `failSafe` checked, in ms. */
export interface FailSafeSettings {
  maxAgeMs: number;
  throttleMs: number;
  when?: (error: unknown) => boolean;
}

/** `timeout` checked, in ms; a field left out is off. */
export interface TimeoutSettings {
  softMs?: number;
  hardMs?: number;
  background: boolean;
}

const FAIL_SAFE_OPTIONS = optionNames<FailSafeOptions>({ maxAge: true, throttle: true, when: true });
const TIMEOUT_OPTIONS = optionNames<LoadTimeoutOptions>({ soft: true, hard: true, background: true });
const DEFAULT_THROTTLE = '30s';

/**
 * Checks a `failSafe` option; `where` names its owner in errors. `lifeMs`, when known, is the
 * entry's logical life: a `maxAge` shorter than it would keep nothing past expiry.
 * @example parseFailSafe({ maxAge: '1d' }, "defineCache('product')", 600_000, CacheDefinitionError)
 */
export function parseFailSafe(
  value: unknown,
  where: string,
  lifeMs: number | undefined,
  ErrorClass: OptionErrorClass,
): FailSafeSettings | false | undefined {
  if (value === undefined || value === false) return value;
  rejectUnknownNested(value, FAIL_SAFE_OPTIONS, where, 'failSafe', ErrorClass);
  const options = value as FailSafeOptions;
  if (options.when !== undefined && typeof options.when !== 'function') {
    throw new ErrorClass(messages.invalidFunction(`${where}: option 'failSafe.when'`, options.when));
  }
  const maxAgeMs = parseDuration(options.maxAge, `${where}: option 'failSafe.maxAge'`, TTL_LIMIT);
  const throttleMs = parseDuration(
    options.throttle ?? DEFAULT_THROTTLE,
    `${where}: option 'failSafe.throttle'`,
    TIMER_LIMIT,
  );
  const settings = { maxAgeMs, throttleMs, when: options.when };
  if (lifeMs !== undefined) checkMaxAge(settings, lifeMs, where, ErrorClass);
  return settings;
}

/** Throws when `maxAge` does not outlive the entry's logical life (`ttl`, or `fresh + stale`). */
export function checkMaxAge(settings: FailSafeSettings, lifeMs: number, where: string, ErrorClass: OptionErrorClass) {
  if (settings.maxAgeMs <= lifeMs) {
    throw new ErrorClass(messages.failSafeTooShort(`${where}: option 'failSafe.maxAge'`, settings.maxAgeMs, lifeMs));
  }
}

/**
 * Checks a `timeout` option: positive durations, `soft` shorter than `hard`.
 * @example parseTimeout({ soft: '100ms', hard: '2s' }, "defineCache('product')", CacheDefinitionError)
 */
export function parseTimeout(
  value: unknown,
  where: string,
  ErrorClass: OptionErrorClass,
): TimeoutSettings | false | undefined {
  if (value === undefined || value === false) return value;
  rejectUnknownNested(value, TIMEOUT_OPTIONS, where, 'timeout', ErrorClass);
  const options = value as LoadTimeoutOptions;
  if (options.background !== undefined && typeof options.background !== 'boolean') {
    throw new ErrorClass(messages.invalidBoolean(`${where}: option 'timeout.background'`, options.background));
  }
  const softMs =
    options.soft === undefined
      ? undefined
      : parseDuration(options.soft, `${where}: option 'timeout.soft'`, TIMER_LIMIT);
  const hardMs =
    options.hard === undefined
      ? undefined
      : parseDuration(options.hard, `${where}: option 'timeout.hard'`, TIMER_LIMIT);
  if (softMs !== undefined && hardMs !== undefined && softMs >= hardMs) {
    throw new ErrorClass(messages.softNotBeforeHard(`${where}: option 'timeout.soft'`, softMs, hardMs));
  }
  return { softMs, hardMs, background: options.background ?? true };
}
