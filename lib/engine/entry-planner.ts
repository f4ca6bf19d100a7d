import { CacheDefinition } from '../definitions/cache-definition.js';
import { encodeKey } from '../definitions/key-encoding.js';
import { EntryPlan, LockSettings } from './entry-plan.js';

/** Name under which raw (string) keys of CacheKit live; no definition can take it. */
export const RAW_NAME = '~raw';

/**
 * Turns a definition and arguments into the store key and write settings, applying the module's
 * namespace and defaults. Key layout: `{namespace:name:parts}`; the braces make the whole entry id
 * a Redis Cluster hash tag, so companion keys (`{...}:lease`) can share its slot.
 */
export class EntryPlanner {
  constructor(
    private readonly namespace: string,
    private readonly defaultTtlMs: number,
    private readonly defaultJitter: number,
    private readonly defaultLock: LockSettings | undefined,
  ) {}

  plan(definition: CacheDefinition, args: unknown[], where: string): EntryPlan {
    const unless = definition.unless;
    const lock = definition.singleFlight;
    return {
      key: this.key(definition, args, where),
      tags: this.tagKeys(definition.tagsOf(args, where)),
      name: definition.name,
      where,
      ttlMs: definition.ttlMs ?? this.defaultTtlMs,
      jitter: definition.jitter ?? this.defaultJitter,
      cacheNullMs: definition.cacheNullMs,
      swr: definition.swr,
      earlyRefreshBeta: definition.earlyRefreshBeta,
      lock:
        lock === false || !this.defaultLock
          ? undefined
          : { waitMs: lock?.waitMs ?? this.defaultLock.waitMs, leaseMs: lock?.leaseMs ?? this.defaultLock.leaseMs },
      shouldStore: unless ? (value) => !unless(value, ...args) : undefined,
    };
  }

  key(definition: CacheDefinition, args: unknown[], where: string): string {
    return `{${this.namespace}:${definition.name}:${definition.keyOf(args, where)}}`;
  }

  /** Store keys of tags: each its own hash tag, since a tag spans entries in every slot. */
  tagKeys(tags: readonly string[]): string[] {
    return tags.map((tag) => `{${this.namespace}:~tag:${encodeKey(tag)}}`);
  }

  /** Prefix shared by every key of a cache name; holds no glob characters. */
  prefix(name: string): string {
    return `{${this.namespace}:${name}:`;
  }

  /** Plan for a raw string key given to CacheKit. */
  rawPlan(key: string, ttlMs = this.defaultTtlMs, cacheNullMs?: number): EntryPlan {
    return {
      key: `{${this.namespace}:${RAW_NAME}:${encodeKey(key)}}`,
      tags: [],
      name: RAW_NAME,
      where: `CacheKit('${key}')`,
      ttlMs,
      jitter: this.defaultJitter,
      cacheNullMs,
    };
  }
}
