import type { DecoratedMethod } from '../definitions/cache-operation.interface.js';

/** One call of a decorated method, as the interceptors see it. */
export interface Invocation {
  readonly instance: object;
  readonly method: DecoratedMethod;
  readonly args: unknown[];
}

/** One decorator kind's part of a call: do something around `next` (the rest of the chain). */
export interface OperationInterceptor<O> {
  intercept(operation: O, call: Invocation, next: () => Promise<unknown>): Promise<unknown>;
}
