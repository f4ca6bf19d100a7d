import 'reflect-metadata';
import { isObservable } from 'rxjs';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { CacheOperation, DecoratedMethod } from './cache-operation.js';
import { invokerFor } from './invoker-binding.js';

const DECORATED = Symbol('nestjs-cachekit.decorated');

/** The cache information of a trampoline, or undefined for any other function. */
export function decoratedMethodOf(fn: unknown): DecoratedMethod | undefined {
  return typeof fn === 'function'
    ? (fn as unknown as Record<symbol, DecoratedMethod | undefined>)[DECORATED]
    : undefined;
}

/**
 * Adds a cache operation to a method. The first cache decorator replaces the method with a
 * trampoline (same name, every metadata key of the original copied over, so @Get, @OnEvent,
 * @Cron keep working in any order); later ones only add their operation to it. `build` gets
 * `'@Cacheable on ProductService#findOne'`, to name the method in option errors.
 */
export function addOperation(
  decorator: string,
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor | undefined,
  build: (where: string) => CacheOperation,
): void {
  const className = typeof target === 'function' ? target.name : (target?.constructor?.name ?? 'anonymous');
  const where = `${className}#${String(propertyKey)}`;
  if (typeof target === 'function') throw new CacheDefinitionError(messages.staticMethod(decorator, where));
  if (!descriptor || typeof descriptor.value !== 'function') {
    throw new CacheDefinitionError(messages.notAMethod(decorator, where));
  }
  const operation = build(`@${decorator} on ${where}`);
  const existing = decoratedMethodOf(descriptor.value);
  if (existing) {
    if (operation.kind === 'cacheable' && existing.operations.some((op) => op.kind === 'cacheable')) {
      throw new CacheDefinitionError(messages.twoCacheables(where));
    }
    existing.operations.push(operation);
    return;
  }
  const original = descriptor.value as (...args: unknown[]) => unknown;
  const method: DecoratedMethod = {
    where,
    original,
    operations: [operation],
    returnsObservable: Reflect.getMetadata('design:returntype', target, propertyKey)?.name === 'Observable',
  };
  const trampoline = function (this: object, ...args: unknown[]): unknown {
    const invoker = invokerFor(this, method);
    return invoker ? invoker.invoke(this, method, args) : original.apply(this, args);
  };
  Object.defineProperty(trampoline, 'name', { value: original.name });
  Object.defineProperty(trampoline, DECORATED, { value: method });
  for (const metadataKey of Reflect.getMetadataKeys(original)) {
    Reflect.defineMetadata(metadataKey, Reflect.getMetadata(metadataKey, original), trampoline);
  }
  descriptor.value = trampoline;
}

/** What an Observable method produced when it completed without a value; never stored. */
export const NO_VALUE: unique symbol = Symbol('nestjs-cachekit.no-value');

/** Runs the original method and settles on one value (an Observable's last value, or NO_VALUE if empty). */
export async function callOriginal(method: DecoratedMethod, instance: object, args: unknown[]): Promise<unknown> {
  const result = method.original.apply(instance, args);
  if (isObservable(result)) {
    let last: unknown = NO_VALUE;
    await new Promise<void>((resolve, reject) =>
      result.subscribe({ next: (value) => (last = value), error: reject, complete: resolve }),
    );
    return last;
  }
  return result;
}
