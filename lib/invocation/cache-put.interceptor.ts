import type { CachePutOperation } from '../definitions/cache-operation.interface.js';
import { NO_VALUE } from './call-original.js';
import { CacheEngine } from '../engine/cache.engine.js';
import { EntryPlanner } from '../engine/entry/entry-planner.js';
import { Invocation, OperationInterceptor } from './invocation.interface.js';
import { isOutsideScope } from '../scope/outside-scope.js';

/** @CachePut: run the method, then store what it returned under the arguments' key. */
export class CachePutInterceptor implements OperationInterceptor<CachePutOperation> {
  constructor(
    private readonly engine: CacheEngine,
    private readonly planner: EntryPlanner,
  ) {}

  async intercept({ definition }: CachePutOperation, call: Invocation, next: () => Promise<unknown>): Promise<unknown> {
    const value = await next();
    if (value === NO_VALUE || (definition.condition && !definition.condition(...call.args))) return value;
    try {
      await this.engine.write(this.planner.plan(definition, call.args, call.method.where), value);
    } catch (error) {
      if (!isOutsideScope(error)) throw error;
      // Outside any scope the entry's scope is unknown: its old value may be in any of them.
      await this.engine.evictor.clear(definition.name, this.planner.nameKey(definition.name));
    }
    return value;
  }
}
