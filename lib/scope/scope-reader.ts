import { messages } from '../errors/messages.js';
import { encodeKey } from '../keys/key-encoding.js';
import type { RateLimitedLogger } from '../observability/rate-limited-logger.js';

/** The module's `scope` option: the current tenant (or any partition), undefined outside one. */
export type ScopeFunction = () => string | undefined;

/**
 * Reads the current scope for one call and encodes it as a key part, like any other part, so a
 * scope holding ':', '*' or '{' can neither widen an eviction nor collide with another scope.
 * A scope function that throws or returns anything but a non-empty string counts as outside any
 * scope (logged, rate-limited): reads then go to the origin, evictions reach every scope.
 */
export class ScopeReader {
  constructor(
    private readonly scope: ScopeFunction,
    private readonly log: RateLimitedLogger,
  ) {}

  /** The encoded scope, or undefined outside any. */
  read(where: string): string | undefined {
    let value: unknown;
    try {
      value = this.scope();
    } catch (cause) {
      this.log.warn('scope-threw', messages.scopeThrew(where, cause));
      return undefined;
    }
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      this.log.warn('scope-invalid', messages.scopeInvalid(where, value));
      return undefined;
    }
    return encodeKey(value);
  }
}
