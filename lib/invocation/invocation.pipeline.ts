import { EMPTY, Observable, defer, mergeMap, of } from 'rxjs';
import type { CacheOperation, DecoratedMethod } from '../definitions/cache-operation.interface.js';
import { MethodInvoker } from './invoker-registry.js';
import { NO_VALUE, callOriginal } from './call-original.js';
import { CacheEvictInterceptor } from './cache-evict.interceptor.js';
import { CachePutInterceptor } from './cache-put.interceptor.js';
import { CacheableInterceptor } from './cacheable.interceptor.js';
import { CacheableManyInterceptor } from './cacheable-many.interceptor.js';
import { Invocation } from './invocation.interface.js';

// Outermost first: evictions wrap puts, puts wrap the cached read, the read wraps the method.
// A batch calls the method itself (with the missing ids), so it comes last.
const ORDER: Record<CacheOperation['kind'], number> = { evict: 0, put: 1, cacheable: 2, batch: 3 };

/**
 * A class, not an object literal: V8 starts allocating a literal's objects in the old generation
 * once a burst (a cold start's thousands of misses) keeps most of them alive across a collection,
 * and from then on every call's copy, dead or not, keeps what it references alive until a full
 * collection; instances of a class are not moved so.
 */
class Call implements Invocation {
  constructor(
    readonly instance: object,
    readonly method: DecoratedMethod,
    readonly args: unknown[],
  ) {}
}

/**
 * One app's path for every decorated call: run the operations' interceptors around the original
 * method, then shape the result back into what the method returns (a Promise, or a cold Observable).
 */
export class InvocationPipeline implements MethodInvoker {
  readonly #ordered = new WeakMap<DecoratedMethod, CacheOperation[]>();

  constructor(
    private readonly cacheable: CacheableInterceptor,
    private readonly put: CachePutInterceptor,
    private readonly evict: CacheEvictInterceptor,
    private readonly batch: CacheableManyInterceptor,
  ) {}

  invoke(instance: object, method: DecoratedMethod, args: unknown[]): Promise<unknown> | Observable<unknown> {
    const call = new Call(instance, method, args);
    if (!method.returnsObservable) return this.#run(call);
    return defer(() => this.#run(call)).pipe(mergeMap((value) => (value === NO_VALUE ? EMPTY : of(value))));
  }

  #run(call: Invocation): Promise<unknown> {
    try {
      return this.#step(this.#operationsOf(call.method), call, 0);
    } catch (error) {
      return Promise.reject(error); // e.g. a key function that threw: the caller sees a rejection, not a sync throw
    }
  }

  // A method, not a closure made per call: a hit allocates only the `next` it may never call.
  #step(operations: CacheOperation[], call: Invocation, index: number): Promise<unknown> {
    if (index === operations.length) return callOriginal(call.method, call.instance, call.args);
    const operation = operations[index];
    const next = () => this.#step(operations, call, index + 1);
    switch (operation.kind) {
      case 'cacheable':
        return this.cacheable.intercept(operation, call, next);
      case 'put':
        return this.put.intercept(operation, call, next);
      case 'evict':
        return this.evict.intercept(operation, call, next);
      case 'batch':
        return this.batch.intercept(operation, call);
    }
  }

  #operationsOf(method: DecoratedMethod): CacheOperation[] {
    let ordered = this.#ordered.get(method);
    if (!ordered) {
      ordered = [...method.operations].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
      this.#ordered.set(method, ordered);
    }
    return ordered;
  }
}
