import { CacheEvictOperation } from '../decorators/cache-operation.js';
import { CacheEngine } from '../engine/cache.engine.js';
import { EntryPlanner } from '../engine/entry-planner.js';
import { Invocation, OperationInterceptor } from './invocation.interface.js';

/** @CacheEvict: evict after the method resolves (nothing if it throws), or before it runs. */
export class CacheEvictInterceptor implements OperationInterceptor<CacheEvictOperation> {
  constructor(
    private readonly engine: CacheEngine,
    private readonly planner: EntryPlanner,
    private readonly clearDeadlineMs: number,
  ) {}

  async intercept(operation: CacheEvictOperation, call: Invocation, next: () => Promise<unknown>): Promise<unknown> {
    const applies = !operation.condition || operation.condition(...call.args);
    if (applies && operation.beforeInvocation) await this.#evict(operation, call);
    const value = await next();
    if (applies && !operation.beforeInvocation) await this.#evict(operation, call);
    return value;
  }

  async #evict({ definition, allEntries }: CacheEvictOperation, call: Invocation): Promise<void> {
    if (allEntries) {
      await this.engine.store.deletePrefix(this.planner.prefix(definition.name), this.clearDeadlineMs);
      return;
    }
    await this.engine.evict(definition.name, [this.planner.key(definition, call.args, call.method.where)]);
  }
}
