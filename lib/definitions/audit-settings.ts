import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import type { AuditOptions } from '../observability/observability.interface.js';
import { TIMER_LIMIT, parseDuration } from './duration.js';
import { OptionErrorClass, optionNames, rejectUnknownNested } from './known-options.js';

/** The staleness audit's settings, resolved: defaults applied, durations in ms. */
export interface AuditSettings {
  sampleRate: number;
  maxPerSecond: number;
  concurrency: number;
  graceMs: number;
}

const AUDIT_OPTIONS = optionNames<AuditOptions>({
  sampleRate: true,
  maxPerSecond: true,
  concurrency: true,
  grace: true,
});

/**
 * An `audit` option (a definition's or the module's), checked and with defaults applied.
 * @example parseAudit({ sampleRate: 0.01 }, "defineCache('product')") // { sampleRate: 0.01, maxPerSecond: 10, concurrency: 2, graceMs: 1000 }
 */
export function parseAudit(
  value: unknown,
  where: string,
  ErrorClass: OptionErrorClass = CacheDefinitionError,
): AuditSettings {
  rejectUnknownNested(value, AUDIT_OPTIONS, where, 'audit', ErrorClass);
  const { sampleRate, maxPerSecond = 10, concurrency = 2, grace = '1s' } = value as AuditOptions;
  if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1))
    throw new ErrorClass(messages.invalidSampleRate(`${where}: option 'audit.sampleRate'`, sampleRate));
  return {
    sampleRate,
    maxPerSecond: positiveInt(maxPerSecond, `${where}: option 'audit.maxPerSecond'`, ErrorClass),
    concurrency: positiveInt(concurrency, `${where}: option 'audit.concurrency'`, ErrorClass),
    graceMs: parseDuration(grace, `${where}: option 'audit.grace'`, TIMER_LIMIT),
  };
}

function positiveInt(value: unknown, where: string, ErrorClass: OptionErrorClass): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new ErrorClass(messages.invalidPositiveInt(where, value));
  return value;
}
