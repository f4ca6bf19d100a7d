import { isObservable } from 'rxjs';
import type { DecoratedMethod } from '../definitions/cache-operation.interface.js';

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
