import type { CacheEvictOperation } from '../definitions/cache-operation.interface.js';
import { resolveTags } from '../definitions/tags.js';
import { Evictor } from '../engine/eviction/evictor.js';
import { EntryPlanner } from '../engine/entry/entry-planner.js';
import { Invocation, OperationInterceptor } from './invocation.interface.js';
import { isOutsideScope } from '../scope/outside-scope.js';

/** @CacheEvict: evict after the method resolves (nothing if it throws), or before it runs. */
export class CacheEvictInterceptor implements OperationInterceptor<CacheEvictOperation> {
  constructor(
    private readonly evictor: Evictor,
    private readonly planner: EntryPlanner,
  ) {}

  async intercept(operation: CacheEvictOperation, call: Invocation, next: () => Promise<unknown>): Promise<unknown> {
    const applies = !operation.condition || operation.condition(...call.args);
    if (applies && operation.beforeInvocation) await this.#evict(operation, call);
    const value = await next();
    if (applies && !operation.beforeInvocation) await this.#evict(operation, call);
    return value;
  }

  async #evict({ definition, allEntries, tags }: CacheEvictOperation, call: Invocation): Promise<void> {
    const where = call.method.where;
    const work: Promise<unknown>[] = [];
    if (tags) work.push(this.evictor.evictTags(this.planner.tagKeys(resolveTags(tags, call.args, where), where)));
    if (definition && allEntries) {
      work.push(this.evictor.clear(definition.name, this.planner.clearKey(definition, where)));
    } else if (definition) {
      work.push(this.#evictEntry(definition, call.args, where));
    }
    await Promise.all(work);
  }

  // Outside any scope the entry's scope is unknown: every scope's entries of the name go.
  #evictEntry(definition: NonNullable<CacheEvictOperation['definition']>, args: unknown[], where: string) {
    let key: string;
    try {
      key = this.planner.key(definition, args, where);
    } catch (error) {
      if (!isOutsideScope(error)) throw error;
      return this.evictor.clear(definition.name, this.planner.nameKey(definition.name));
    }
    return this.evictor.evict(definition.name, [key]);
  }
}
