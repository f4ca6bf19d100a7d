import { CacheDefinition } from '../../definitions/cache-definition.js';
import { encodeKey } from '../../keys/key-encoding.js';
import {
  GLOBAL_PART,
  NO_TAGS,
  RAW_NAME,
  entryKeyPrefix,
  nameKey,
  rawKey,
  scopePart,
  tagKey,
} from '../../keys/key-layout.js';
import { OutsideScope } from '../../scope/outside-scope.js';
import type { ScopeReader } from '../../scope/scope-reader.js';
import { EntryPlan, LockSettings } from './entry-plan.js';
import { CacheDefinitionError } from '../../errors/cachekit.errors.js';
import { FailSafeSettings, TimeoutSettings, checkMaxAge } from '../../definitions/fail-safe-settings.js';
import { PlainToInstance, reviverFor } from '../../serialization/revive.js';
import { DefinitionPlan, PlanSettings, keyOf } from './definition-plan.js';

/** Module defaults for fail-safe and the soft timeout (the hard one is `defaultLoadTimeoutMs`). */
export interface PlannerFailSafeDefaults {
  failSafe?: FailSafeSettings;
  timeout?: TimeoutSettings;
}

/**
 * Turns a definition and arguments into the store key and write settings, applying the module's
 * namespace and defaults. Key layout: `{namespace:name:parts}`; the braces make the whole entry id
 * a Redis Cluster hash tag, so companion keys (`{...}:lease`) can share its slot. Every entry of a
 * definition carries its cache name's generation `{namespace:~name:name}` as an implicit first tag,
 * so clearing a whole cache is one key, like a tag, whatever the number of entries.
 */
export class EntryPlanner {
  constructor(
    private readonly namespace: string,
    private readonly defaultTtlMs: number,
    private readonly defaultJitter: number,
    private readonly defaultLock: LockSettings | undefined,
    private readonly defaultLoadTimeoutMs?: number,
    private readonly failSafeDefaults: PlannerFailSafeDefaults = {},
    private readonly plainToInstance?: PlainToInstance,
    private readonly scope?: ScopeReader,
  ) {}

  readonly #settings = new WeakMap<CacheDefinition, PlanSettings>();

  /** The plan of one call; throws OutsideScope for a scoped definition called outside any scope. */
  plan(definition: CacheDefinition, args: unknown[], where: string): EntryPlan {
    const unless = definition.unless;
    const settings = this.#settingsOf(definition);
    const scope = this.#scopeOf(settings, where);
    return new DefinitionPlan(
      settings,
      keyOf(settings, args, where, scope),
      args,
      where,
      unless ? (value) => !unless(value, ...args) : undefined,
      scope,
    );
  }

  /** True when the module scopes keys (a `scope` option). */
  get scoped(): boolean {
    return this.scope !== undefined;
  }

  // The encoded scope of a scoped definition's call; undefined for an unscoped one.
  #scopeOf(settings: PlanSettings, where: string): string | undefined {
    if (!settings.scoped) return undefined;
    const scope = this.scope!.read(where);
    if (scope === undefined) throw new OutsideScope(where);
    return scope;
  }

  // Everything that depends only on the definition, computed once per definition.
  #settingsOf(definition: CacheDefinition): PlanSettings {
    let settings = this.#settings.get(definition);
    if (!settings) {
      const lock = definition.singleFlight;
      settings = {
        definition,
        planner: this,
        keyPrefix: entryKeyPrefix(this.namespace, definition.name),
        nameTags: Object.freeze([this.nameKey(definition.name)]) as string[],
        ttlMs: definition.ttlMs ?? this.defaultTtlMs,
        jitter: definition.jitter ?? this.defaultJitter,
        lock:
          lock === false || !this.defaultLock
            ? undefined
            : { waitMs: lock?.waitMs ?? this.defaultLock.waitMs, leaseMs: lock?.leaseMs ?? this.defaultLock.leaseMs },
        loadTimeoutMs:
          definition.loadTimeoutMs === false ? undefined : (definition.loadTimeoutMs ?? this.defaultLoadTimeoutMs),
        ...this.#failSafeOf(definition),
        revive: reviverFor(definition.type, definition.revive, this.plainToInstance),
        scoped: this.scope !== undefined && definition.scope !== false,
        knownKeys: new Map(),
      };
      this.#settings.set(definition, settings);
    }
    return settings;
  }

  // A definition relying on the module's ttl or fail-safe is checked here, once: maxAge must outlive the ttl.
  #failSafeOf(definition: CacheDefinition): Pick<PlanSettings, 'failSafe' | 'softTimeoutMs' | 'storeAfterTimeout'> {
    const failSafe =
      definition.failSafe === false ? undefined : (definition.failSafe ?? this.failSafeDefaults.failSafe);
    const timeout = definition.timeout === false ? undefined : (definition.timeout ?? this.failSafeDefaults.timeout);
    if (failSafe) {
      const swr = definition.swr;
      const life = swr ? swr.freshMs + swr.staleMs : (definition.ttlMs ?? this.defaultTtlMs);
      checkMaxAge(failSafe, life, `defineCache('${definition.name}')`, CacheDefinitionError);
    }
    return { failSafe, softTimeoutMs: timeout?.softMs, storeAfterTimeout: timeout?.background };
  }

  /** The store key of a call's entry; throws OutsideScope like `plan`. */
  key(definition: CacheDefinition, args: unknown[], where: string): string {
    const settings = this.#settingsOf(definition);
    return keyOf(settings, args, where, this.#scopeOf(settings, where));
  }

  /**
   * Store keys of tags to evict: each its own hash tag, since a tag spans entries in every slot.
   * In a scope, the scope's own tags and those of the definitions shared by every scope; outside
   * any (or in an app without scopes), the plain tags, which every entry carries.
   */
  tagKeys(tags: readonly string[], where = 'an eviction'): string[] {
    if (tags.length === 0) return NO_TAGS;
    const scope = this.scope?.read(where);
    if (scope === undefined) return this.#plainTagKeys(tags);
    const part = scopePart(scope);
    return tags.flatMap((tag) => {
      const encoded = encodeKey(tag);
      return [tagKey(this.namespace, part + encoded), tagKey(this.namespace, GLOBAL_PART + encoded)];
    });
  }

  /** The tag keys an entry carries for its own tags: plain, and (in a scoped app) scoped or global too. */
  entryTagKeys(tags: readonly string[], scope: string | undefined): string[] {
    const plain = this.#plainTagKeys(tags);
    if (!this.scope) return plain;
    const part = scope === undefined ? GLOBAL_PART : scopePart(scope);
    return [...tags.map((tag) => tagKey(this.namespace, part + encodeKey(tag))), ...plain];
  }

  #plainTagKeys(tags: readonly string[]): string[] {
    return tags.map((tag) => tagKey(this.namespace, encodeKey(tag)));
  }

  /** Store key of a cache name's generation, the implicit tag of every entry of that name. */
  nameKey(name: string): string {
    return nameKey(this.namespace, name);
  }

  /**
   * The generation to bump to clear a definition: in a scope, the scope's own for a scoped
   * definition (other scopes keep theirs); outside any, or for a shared one, the name's.
   */
  clearKey(definition: CacheDefinition, where: string): string {
    if (!this.#settingsOf(definition).scoped) return this.nameKey(definition.name);
    const scope = this.scope!.read(where);
    return scope === undefined ? this.nameKey(definition.name) : this.clearKeyOfScope(scope, definition.name);
  }

  /** The generation of a cache name within one (encoded) scope. */
  clearKeyOfScope(scope: string, name: string): string {
    return nameKey(this.namespace, scopePart(scope) + name);
  }

  /** Plan for a raw string key given to CacheKit. */
  rawPlan(key: string, ttlMs = this.defaultTtlMs, cacheNullMs?: number): EntryPlan {
    return {
      key: rawKey(this.namespace, encodeKey(key)),
      tags: [],
      name: RAW_NAME,
      where: `CacheKit('${key}')`,
      ttlMs,
      jitter: this.defaultJitter,
      cacheNullMs,
      loadTimeoutMs: this.defaultLoadTimeoutMs,
      failSafe:
        this.failSafeDefaults.failSafe && ttlMs < this.failSafeDefaults.failSafe.maxAgeMs
          ? this.failSafeDefaults.failSafe
          : undefined,
      softTimeoutMs: this.failSafeDefaults.timeout?.softMs,
      storeAfterTimeout: this.failSafeDefaults.timeout?.background,
    };
  }
}
