import type { DecoratedMethod } from '../definitions/cache-operation.interface.js';
import { invokerFor } from './invoker-registry.js';

/**
 * The function that stands in for a decorated method: at call time it hands the call to the
 * invoker of the app that owns `this`, or runs the original uncached when no app does (fail-open).
 * The only call-time code a decorator reaches: it is created at class-definition time.
 */
export function trampolineFor(method: DecoratedMethod): (this: object, ...args: unknown[]) => unknown {
  const original = method.original;
  return function (this: object, ...args: unknown[]): unknown {
    const invoker = invokerFor(this, method);
    return invoker ? invoker.invoke(this, method, args) : original.apply(this, args);
  };
}
