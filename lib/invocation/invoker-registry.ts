import { Logger } from '@nestjs/common';
import { messages } from '../errors/messages.js';
import type { DecoratedMethod } from '../definitions/cache-operation.interface.js';

/** What a trampoline hands a call to: one per running app (the app's invocation pipeline). */
export interface MethodInvoker {
  invoke(instance: object, method: DecoratedMethod, args: unknown[]): unknown;
}

// Which app owns each bound instance. A WeakMap rather than a property on the instance: a frozen
// or sealed provider value cannot take a property, and the user's object stays as it was.
const boundInvokers = new WeakMap<object, MethodInvoker>();
// The running apps' invokers: consulted only for instances no explorer bound (request-scoped
// providers, objects created with `new`), never on the bound hot path.
const runningInvokers = new Set<MethodInvoker>();
const warnedUnbound = new WeakSet<DecoratedMethod>();
const logger = new Logger('CacheKit');

export function registerInvoker(invoker: MethodInvoker): void {
  runningInvokers.add(invoker);
}

export function unregisterInvoker(invoker: MethodInvoker): void {
  runningInvokers.delete(invoker);
}

/** Binds an instance to its app's invoker. */
export function bindInstance(instance: object, invoker: MethodInvoker): void {
  boundInvokers.set(instance, invoker);
}

export function unbindInstance(instance: object, invoker: MethodInvoker): void {
  if (boundInvokers.get(instance) === invoker) boundInvokers.delete(instance);
}

/** The invoker for a call on `instance`, or undefined (then the method runs uncached). */
export function invokerFor(instance: unknown, method: DecoratedMethod): MethodInvoker | undefined {
  const bound = boundInvokers.get(instance as object); // undefined for a missing or primitive `this`
  if (bound) return bound;
  if (runningInvokers.size === 1) return runningInvokers.values().next().value;
  if (!warnedUnbound.has(method)) {
    warnedUnbound.add(method);
    logger.warn(
      runningInvokers.size === 0
        ? messages.calledWithoutModule(method.where)
        : messages.calledOnUnownedInstance(method.where, runningInvokers.size),
    );
  }
  return undefined;
}
