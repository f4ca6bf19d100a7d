import { CacheDefinition, SwrSettings } from '../../definitions/cache-definition.js';
import { encodeKey } from '../../keys/key-encoding.js';
import { NO_TAGS, RAW_NAME, entryKey, entryKeyPrefix, nameKey, rawKey, tagKey } from '../../keys/key-layout.js';
import { EntryPlan, LockSettings } from './entry-plan.js';
import { PlainToInstance, Reviver, reviverFor } from '../../serialization/revive.js';

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
    private readonly plainToInstance?: PlainToInstance,
  ) {}

  readonly #settings = new WeakMap<CacheDefinition, PlanSettings>();

  plan(definition: CacheDefinition, args: unknown[], where: string): EntryPlan {
    const unless = definition.unless;
    const settings = this.#settingsOf(definition);
    return new DefinitionPlan(
      settings,
      keyOf(settings, args, where),
      args,
      where,
      unless ? (value) => !unless(value, ...args) : undefined,
    );
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
        revive: reviverFor(definition.type, definition.revive, this.plainToInstance),
      };
      this.#settings.set(definition, settings);
    }
    return settings;
  }

  key(definition: CacheDefinition, args: unknown[], where: string): string {
    return keyOf(this.#settingsOf(definition), args, where);
  }

  /** Store keys of tags: each its own hash tag, since a tag spans entries in every slot. */
  tagKeys(tags: readonly string[]): string[] {
    if (tags.length === 0) return NO_TAGS;
    return tags.map((tag) => tagKey(this.namespace, encodeKey(tag)));
  }

  /** Store key of a cache name's generation, the implicit tag of every entry of that name. */
  nameKey(name: string): string {
    return nameKey(this.namespace, name);
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
    };
  }
}

function keyOf(settings: PlanSettings, args: unknown[], where: string): string {
  return entryKey(settings.keyPrefix, settings.definition.keyOf(args, where));
}

interface PlanSettings {
  definition: CacheDefinition;
  planner: EntryPlanner;
  /** `{namespace:name:`, the start of every key of the definition. */
  keyPrefix: string;
  /** The tag keys of an entry without tags of its own: the name's generation alone. */
  nameTags: string[];
  ttlMs: number;
  jitter: number;
  lock?: LockSettings;
  loadTimeoutMs?: number;
  revive?: Reviver;
}

/** A plan for one call; its tag keys are built only when a store round trip needs them (not on L1 hits). */
class DefinitionPlan implements EntryPlan {
  #tags?: string[];

  constructor(
    private readonly settings: PlanSettings,
    readonly key: string,
    private readonly args: unknown[],
    readonly where: string,
    public shouldStore: ((value: unknown) => boolean) | undefined,
  ) {}

  get tags(): string[] {
    if (this.#tags) return this.#tags;
    const { definition, nameTags, planner } = this.settings;
    const own = definition.tagsOf(this.args, this.where);
    return (this.#tags = own.length === 0 ? nameTags : [...nameTags, ...planner.tagKeys(own)]);
  }
  get name(): string {
    return this.settings.definition.name;
  }
  get ttlMs(): number {
    return this.settings.ttlMs;
  }
  get ttlFor(): ((value: unknown) => number) | undefined {
    const ttlOf = this.settings.definition.ttlOf;
    return ttlOf && ((value) => ttlOf(value, this.args, this.where));
  }
  get jitter(): number {
    return this.settings.jitter;
  }
  get cacheNullMs(): number | undefined {
    return this.settings.definition.cacheNullMs;
  }
  get swr(): SwrSettings | undefined {
    return this.settings.definition.swr;
  }
  get earlyRefreshBeta(): number | undefined {
    return this.settings.definition.earlyRefreshBeta;
  }
  get lock(): LockSettings | undefined {
    return this.settings.lock;
  }
  get loadTimeoutMs(): number | undefined {
    return this.settings.loadTimeoutMs;
  }
  get revive(): Reviver | undefined {
    return this.settings.revive;
  }
}
