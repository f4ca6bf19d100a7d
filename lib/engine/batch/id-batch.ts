import { CacheDefinition } from '../../definitions/cache-definition.js';
import { CacheDefinitionError } from '../../errors/cachekit.errors.js';
import { messages } from '../../errors/messages.js';
import { EntryPlan } from '../entry/entry-plan.js';
import { EntryPlanner } from '../entry/entry-planner.js';
import { BatchReadThrough } from './batch-read-through.js';
import { isOutsideScope } from '../../scope/outside-scope.js';

/** What a batch loader may return for the ids it was given: a Map, or [id, value] pairs. */
export type LoadedById<I, R> = ReadonlyMap<I, R> | Iterable<readonly [I, R]>;

/**
 * Batches by id over a single-id definition: each id is served from the very entry the
 * definition's single-id method uses (same key, tags and evictions). Duplicate ids are read and
 * loaded once; an empty list costs nothing. The loader gets the missing ids (each once) and
 * returns their values by id: an id it leaves out is stored as null when the definition caches
 * nulls (`cacheNull`), else not stored; ids it adds are ignored. The result holds the ids that
 * have a value (not null or undefined), in the order they were asked for.
 */
export class IdBatches {
  constructor(
    private readonly planner: EntryPlanner,
    private readonly batches: BatchReadThrough,
  ) {}

  async getMany<I, R>(
    definition: CacheDefinition<[I], R>,
    ids: readonly I[],
    where: string,
    load: (ids: I[]) => Promise<LoadedById<I, R>>,
  ): Promise<Map<I, R>> {
    if (!Array.isArray(ids)) throw new CacheDefinitionError(messages.batchNeedsIds(where, ids));
    if (ids.length === 0) return new Map();
    const plans: EntryPlan[] = [];
    const unique: I[] = [];
    const seen = new Set<string>();
    try {
      this.planner.plan(definition as CacheDefinition, [ids[0]], `${where} (ids[0])`);
    } catch (error) {
      if (!isOutsideScope(error)) throw error;
      return this.#uncached(ids, where, load); // outside any scope: straight to the loader
    }
    ids.forEach((id, index) => {
      const plan = this.planner.plan(definition as CacheDefinition, [id], `${where} (ids[${index}])`);
      if (seen.has(plan.key)) return;
      seen.add(plan.key);
      plan.where = where;
      plans.push(plan);
      unique.push(id);
    });
    if (plans.length === 0) return new Map();
    const values = await this.batches.getMany(plans, async (indices) => {
      const asked = indices.map((i) => unique[i]!);
      const loaded = toMap(await load(asked), where);
      return asked.map((id) => (loaded.has(id) ? loaded.get(id) : null));
    });
    const out = new Map<I, R>();
    unique.forEach((id, i) => {
      if (values[i] !== null && values[i] !== undefined) out.set(id, values[i] as R);
    });
    return out;
  }

  async #uncached<I, R>(ids: readonly I[], where: string, load: (ids: I[]) => Promise<LoadedById<I, R>>) {
    const unique = [...new Set(ids)];
    const loaded = toMap(await load(unique), where);
    const out = new Map<I, R>();
    for (const id of unique) if (loaded.get(id) !== undefined && loaded.get(id) !== null) out.set(id, loaded.get(id)!);
    return out;
  }
}

function toMap<I, R>(loaded: LoadedById<I, R>, where: string): ReadonlyMap<I, R> {
  if (loaded instanceof Map) return loaded;
  if (
    loaded === null ||
    typeof loaded !== 'object' ||
    typeof (loaded as Iterable<unknown>)[Symbol.iterator] !== 'function'
  ) {
    throw new CacheDefinitionError(messages.batchBadResult(where, loaded));
  }
  return new Map(loaded as Iterable<readonly [I, R]>);
}
