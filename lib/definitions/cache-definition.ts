import { CacheDefinitionError, CacheKeyError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { parseEarlyRefresh, parseSingleFlight, parseSwr } from './definition-settings.js';
import { parseDuration, parseJitter } from './duration.js';
import { FailSafeSettings, TimeoutSettings, parseFailSafe, parseTimeout } from './fail-safe-settings.js';
import { KeyEncodingProblem, encodeArgs, encodeKey } from '../keys/key-encoding.js';
import { optionNames, rejectUnknownOptions } from './known-options.js';
import { resolveTags } from './tags.js';
import { EncodedKeys } from './encoded-keys.js';
import { AuditSettings, parseAudit } from './audit-settings.js';
import type { CacheDefinitionOptions, SwrSettings } from './cache-definition-options.interface.js';
import { NO_TAGS, isCacheName } from '../keys/key-layout.js';
import type { RevivableClass } from '../serialization/revive.js';

export type { CacheDefinitionOptions, SwrSettings } from './cache-definition-options.interface.js';

/** Resolved, validated definition; create one with `defineCache`. */
export interface CacheDefinition<A extends unknown[] = any[], R = unknown> {
  readonly name: string;
  readonly ttlMs?: number;
  /** The TTL of one loaded value, from a `ttl` function; throws when it throws or returns no valid duration. */
  ttlOf?(result: R, args: A, where: string): number;
  readonly jitter?: number;
  readonly cacheNullMs?: number;
  readonly condition?: (...args: A) => boolean;
  readonly unless?: (result: R, ...args: A) => boolean;
  readonly swr?: SwrSettings;
  readonly earlyRefreshBeta?: number;
  /** false: off; undefined fields: the module's defaults. */
  readonly singleFlight?: false | { waitMs?: number; leaseMs?: number };
  /** false: off; undefined: the module's default. */
  readonly loadTimeoutMs?: number | false;
  /** false: off; undefined: the module's default. */
  readonly failSafe?: FailSafeSettings | false;
  /** false: off; undefined: the module's default. `hardMs` is folded into `loadTimeoutMs`. */
  readonly timeout?: TimeoutSettings | false;
  /** false: off; undefined: the module's `audit`. */
  readonly audit?: AuditSettings | false;
  /** The class results are revived into (see the `type` option). */
  readonly type?: RevivableClass;
  /** false: shared by every scope (see the `scope` option). */
  readonly scope?: false;
  /** The definition's own reviver (see the `revive` option). */
  readonly revive?: (value: unknown) => unknown;
  /** Canonical key text (without namespace) for these arguments; `where` names the caller in errors. */
  keyOf(args: A, where?: string): string;
  /** The tags an entry for these arguments carries (empty without a `tags` option). */
  tagsOf(args: A, where?: string): readonly string[];
  /** The tags a loaded value adds (see the `resultTags` option); absent without one. Throws a CacheKeyError when it fails. */
  resultTagsOf?(result: R, args: A, where: string): readonly string[];
  /** Marker that tells definitions from inline options. */
  readonly [DEFINITION]: true;
}

const DEFINITION = Symbol.for('nestjs-cachekit.definition');
const DEFINITION_OPTIONS = optionNames<CacheDefinitionOptions>({
  name: true,
  key: true,
  ttl: true,
  jitter: true,
  cacheNull: true,
  condition: true,
  unless: true,
  tags: true,
  resultTags: true,
  swr: true,
  earlyRefresh: true,
  singleFlight: true,
  loadTimeout: true,
  failSafe: true,
  timeout: true,
  audit: true,
  type: true,
  revive: true,
  scope: true,
});

/**
 * Declares a cache once so reads, writes and evictions build identical keys.
 * @example export const productById = defineCache({ name: 'product', key: (id: number) => id, ttl: '10m' });
 */
export function defineCache<A extends unknown[] = any[], R = unknown>(
  options: CacheDefinitionOptions<A, R>,
): CacheDefinition<A, R> {
  return buildDefinition(options, `defineCache(${typeof options?.name === 'string' ? `'${options.name}'` : '...'})`);
}

/** How an inline form names its windows in errors: @StaleWhileRevalidate takes `fresh`, not `swr.fresh`. */
export interface DefinitionLabels {
  swrPath?: string;
}

function buildDefinition<A extends unknown[], R>(
  options: CacheDefinitionOptions<A, R>,
  where: string,
  labels: DefinitionLabels = {},
): CacheDefinition<A, R> {
  if (!options || typeof options !== 'object') throw new CacheDefinitionError(messages.needsOptions(where, options));
  rejectUnknownOptions(options, DEFINITION_OPTIONS, where, CacheDefinitionError);
  if (!isCacheName(options.name)) {
    throw new CacheDefinitionError(messages.invalidName(`${where}: option 'name'`, options.name));
  }
  for (const fn of ['key', 'condition', 'unless', 'tags', 'resultTags', 'revive'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') {
      throw new CacheDefinitionError(messages.invalidFunction(`${where}: option '${fn}'`, options[fn]));
    }
  }
  checkRevival(options, where);
  const keyFn = options.key;
  const tagsFn = options.tags;
  const resultTagsFn = options.resultTags;
  const name = options.name;
  const swr = options.swr === undefined ? undefined : parseSwr(options, where, labels.swrPath);
  const ttlMs =
    options.ttl === undefined || typeof options.ttl === 'function'
      ? undefined
      : parseDuration(options.ttl, `${where}: option 'ttl'`);
  const timeout = parseTimeout(options.timeout, where, CacheDefinitionError);
  if (timeout && timeout.hardMs !== undefined && options.loadTimeout !== undefined) {
    throw new CacheDefinitionError(messages.loadTimeoutTwice(where));
  }
  const life = swr ? swr.freshMs + swr.staleMs : ttlMs;
  const encodedKeys = new EncodedKeys();
  return Object.freeze({
    name,
    ttlMs,
    ttlOf: typeof options.ttl === 'function' ? ttlFunction(options.ttl) : undefined,
    jitter: options.jitter === undefined ? undefined : parseJitter(options.jitter, `${where}: option 'jitter'`),
    cacheNullMs:
      options.cacheNull === undefined || options.cacheNull === false
        ? undefined
        : parseDuration(options.cacheNull, `${where}: option 'cacheNull'`),
    condition: options.condition,
    unless: options.unless,
    swr,
    earlyRefreshBeta: options.earlyRefresh === undefined ? undefined : parseEarlyRefresh(options.earlyRefresh, where),
    singleFlight: parseSingleFlight(options.singleFlight, where),
    loadTimeoutMs:
      timeout === false
        ? false
        : (timeout?.hardMs ??
          (options.loadTimeout === undefined || options.loadTimeout === false
            ? options.loadTimeout
            : parseDuration(options.loadTimeout, `${where}: option 'loadTimeout'`))),
    failSafe: parseFailSafe(options.failSafe, where, life, CacheDefinitionError),
    timeout,
    audit: options.audit === undefined || options.audit === false ? options.audit : parseAudit(options.audit, where),
    type: options.type,
    revive: options.revive,
    scope: options.scope,
    keyOf(args: A, caller = where): string {
      let raw: unknown;
      try {
        raw = keyFn ? keyFn(...args) : undefined;
      } catch (cause) {
        throw new CacheKeyError(messages.keyThrew(caller, cause));
      }
      if (keyFn && raw === undefined) throw new CacheKeyError(messages.badKeyValue(caller, 'key', 'undefined'));
      try {
        return keyFn ? encodedKeys.of(raw, encodeKey) : encodeArgs(args);
      } catch (problem) {
        if (!(problem instanceof KeyEncodingProblem)) throw problem;
        throw new CacheKeyError(
          problem.cycle
            ? messages.keyCycle(caller, problem.path)
            : messages.badKeyValue(caller, problem.path, problem.what),
        );
      }
    },
    tagsOf(args: A, caller = where): readonly string[] {
      return tagsFn ? resolveTags(tagsFn, args, caller) : NO_TAGS;
    },
    resultTagsOf: resultTagsFn
      ? (result: R, args: A, caller: string) => resolveTags(resultTagsFn, [result, ...args], caller, 'resultTags')
      : undefined,
    [DEFINITION]: true as const,
  });
}

function ttlFunction<A extends unknown[], R>(
  ttl: (result: R, ...args: A) => unknown,
): (result: R, args: A, where: string) => number {
  return (result, args, where) => {
    let raw: unknown;
    try {
      raw = ttl(result, ...args);
    } catch (cause) {
      throw new CacheDefinitionError(messages.ttlThrew(where, cause));
    }
    return parseDuration(raw, `The ttl function of ${where}`);
  };
}

// A class is a function with a prototype object (arrow functions and bound functions have none).
function checkRevival(options: CacheDefinitionOptions<any, any>, where: string): void {
  const type: unknown = options.type;
  if (type !== undefined && (typeof type !== 'function' || typeof type.prototype !== 'object')) {
    throw new CacheDefinitionError(messages.invalidType(`${where}: option 'type'`, type));
  }
  if (options.scope !== undefined && options.scope !== false) {
    throw new CacheDefinitionError(messages.invalidScopeOption(`${where}: option 'scope'`, options.scope));
  }
  if (type !== undefined && options.revive !== undefined) throw new CacheDefinitionError(messages.typeAndRevive(where));
}

/**
 * Accepts a definition or inline options and returns a definition; `where` names the inline
 * form in errors. @example toDefinition({ name: 'list' }, '@Cacheable on ProductService#list')
 */
export function toDefinition<A extends unknown[], R>(
  input: CacheDefinition<A, R> | CacheDefinitionOptions<A, R>,
  where: string,
  labels?: DefinitionLabels,
): CacheDefinition<A, R> {
  return isCacheDefinition(input) ? input : buildDefinition(input as CacheDefinitionOptions<A, R>, where, labels);
}

/** True for what defineCache returns. @example isCacheDefinition(productById) === true */
export function isCacheDefinition(value: unknown): value is CacheDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}
