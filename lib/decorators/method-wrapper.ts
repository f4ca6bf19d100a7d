import 'reflect-metadata';
import { CacheDefinitionError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { CacheOperation, DecoratedMethod } from '../definitions/cache-operation.interface.js';
import { trampolineFor } from '../invocation/trampoline.js';

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
  const trampoline = trampolineFor(method);
  Object.defineProperty(trampoline, 'name', { value: original.name });
  Object.defineProperty(trampoline, DECORATED, { value: method });
  for (const metadataKey of Reflect.getMetadataKeys(original)) {
    Reflect.defineMetadata(metadataKey, Reflect.getMetadata(metadataKey, original), trampoline);
  }
  descriptor.value = trampoline;
}
