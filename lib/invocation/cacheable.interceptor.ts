import type { CacheableOperation } from '../definitions/cache-operation.interface.js';
import { NO_VALUE } from './call-original.js';
import { ReadThrough } from '../engine/loading/read-through.js';
import { EntryPlanner } from '../engine/entry/entry-planner.js';
import type { StalenessAudit } from '../report/staleness-audit.js';
import { Invocation, OperationInterceptor } from './invocation.interface.js';
import { isOutsideScope } from '../scope/outside-scope.js';
import type { EntryPlan } from '../engine/entry/entry-plan.js';

/** @Cacheable and @StaleWhileRevalidate: read through the cache, load once on a miss. */
export class CacheableInterceptor implements OperationInterceptor<CacheableOperation> {
  constructor(
    private readonly readThrough: ReadThrough,
    private readonly planner: EntryPlanner,
    private readonly audit?: StalenessAudit,
  ) {}

  intercept({ definition }: CacheableOperation, call: Invocation, next: () => Promise<unknown>): Promise<unknown> {
    if (definition.condition && !definition.condition(...call.args)) return next();
    let plan: EntryPlan;
    try {
      plan = this.planner.plan(definition, call.args, call.method.where);
    } catch (error) {
      if (isOutsideScope(error)) return next(); // no scope, no entry it could belong to: uncached
      throw error;
    }
    if (call.method.returnsObservable) {
      const unless = plan.shouldStore;
      plan.shouldStore = (value) => value !== NO_VALUE && (!unless || unless(value)); // an empty Observable stores nothing
    }
    // Sampled calls only (the rest pay one lookup): a hit among them is re-checked in the background.
    const audited = this.audit?.sample(definition);
    if (!audited) return this.readThrough.getOrLoad(plan, next);
    const tags = () => definition.tagsOf(call.args, call.method.where);
    return this.readThrough.getOrLoad(plan, next, (hit) => this.audit!.check(hit, { plan, load: next, tags }, audited));
  }
}
