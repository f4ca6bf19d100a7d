import type { CacheDefinition, SwrSettings } from '../../definitions/cache-definition.js';
import type { FailSafeSettings } from '../../definitions/fail-safe-settings.js';
import { NO_TAGS, entryKey, scopePart } from '../../keys/key-layout.js';
import type { Reviver } from '../../serialization/revive.js';
import type { EntryPlan, LockSettings } from './entry-plan.js';

// Per definition, the full keys of the most recent unscoped parts (cleared when full).
const KNOWN_KEYS_MAX = 4096;

/** The store key of a call: the definition's prefix, the scope's part (if any) and the arguments' parts. */
export function keyOf(settings: PlanSettings, args: unknown[], where: string, scope: string | undefined): string {
  const parts = settings.definition.keyOf(args, where);
  if (scope !== undefined) return entryKey(settings.keyPrefix, scopePart(scope) + parts);
  // A key built per call is a new string whose hash every map it meets (the L1, the flights)
  // computes again: a hot key's full key is built once and reused, its hash computed once.
  const known = settings.knownKeys;
  let key = known.get(parts);
  if (key === undefined) {
    if (known.size >= KNOWN_KEYS_MAX) known.clear();
    key = entryKey(settings.keyPrefix, parts);
    known.set(parts, key);
  }
  return key;
}

/** The part of the planner a plan uses to build its tag keys. */
export interface PlanTagKeys {
  clearKeyOfScope(scope: string, name: string): string;
  entryTagKeys(tags: readonly string[], scope: string | undefined): string[];
}

/** Everything a plan needs that depends only on the definition, computed once per definition. */
export interface PlanSettings extends Pick<
  EntryPlan,
  'ttlMs' | 'jitter' | 'lock' | 'loadTimeoutMs' | 'failSafe' | 'softTimeoutMs' | 'storeAfterTimeout' | 'revive'
> {
  definition: CacheDefinition;
  /** Builds the tag keys of the definition's entries (the planner, which knows namespace and scopes). */
  planner: PlanTagKeys;
  /** `{namespace:name:`, the start of every key of the definition. */
  keyPrefix: string;
  /** The tag keys of an entry without tags of its own: the name's generation alone. */
  nameTags: string[];
  /** Keys, tags and evictions of this definition belong to the current scope. */
  scoped: boolean;
  /** Full keys by encoded parts, for unscoped calls: see `keyOf`. */
  knownKeys: Map<string, string>;
}

/** A plan for one call; its tag keys are built only when a store round trip needs them (not on L1 hits). */
export class DefinitionPlan implements EntryPlan {
  #tags?: string[];
  // The ttl function's answer for the last value asked about: encoding a value and sizing its tags'
  // life both need it, and the function is the application's (it may be costly or count calls).
  #ttlOfLast?: { value: unknown; ms: number };

  constructor(
    private readonly settings: PlanSettings,
    readonly key: string,
    private readonly args: unknown[],
    readonly where: string,
    public shouldStore: ((value: unknown) => boolean) | undefined,
    private readonly scope?: string,
  ) {}

  get tags(): string[] {
    if (this.#tags) return this.#tags;
    const { definition, nameTags, planner } = this.settings;
    const own = definition.tagsOf(this.args, this.where);
    // A scoped entry also carries its scope's generation, so clearing the cache in one scope leaves the others.
    const names = this.scope === undefined ? nameTags : [...nameTags, planner.clearKeyOfScope(this.scope, this.name)];
    return (this.#tags = own.length === 0 ? names : [...names, ...planner.entryTagKeys(own, this.scope)]);
  }
  get name(): string {
    return this.settings.definition.name;
  }
  get ttlMs(): number {
    return this.settings.ttlMs;
  }
  get ttlFor(): ((value: unknown) => number) | undefined {
    const ttlOf = this.settings.definition.ttlOf;
    if (!ttlOf) return undefined;
    return (value) => {
      const last = this.#ttlOfLast;
      if (last !== undefined && Object.is(last.value, value)) return last.ms;
      const ms = ttlOf(value, this.args, this.where);
      this.#ttlOfLast = { value, ms };
      return ms;
    };
  }
  get valueTagsFor(): ((value: unknown) => string[]) | undefined {
    const resultTagsOf = this.settings.definition.resultTagsOf;
    if (!resultTagsOf) return undefined;
    return (value) => {
      const own = resultTagsOf(value, this.args, this.where);
      return own.length === 0 ? NO_TAGS : this.settings.planner.entryTagKeys(own, this.scope);
    };
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
  get failSafe(): FailSafeSettings | undefined {
    return this.settings.failSafe;
  }
  get softTimeoutMs(): number | undefined {
    return this.settings.softTimeoutMs;
  }
  get storeAfterTimeout(): boolean | undefined {
    return this.settings.storeAfterTimeout;
  }
  get revive(): Reviver | undefined {
    return this.settings.revive;
  }
}
