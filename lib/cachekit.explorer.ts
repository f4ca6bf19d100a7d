import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { decoratedMethodOf } from './decorators/method-wrapper.js';
import { bindInstance, registerInvoker, unbindInstance, unregisterInvoker } from './invocation/invoker-registry.js';
import { CacheKitRuntime } from './cachekit.runtime.js';

/**
 * At init, binds every instance of a class with cache decorators to this app's pipeline, so two
 * apps in one process never share one; unbinds at destroy. Request-scoped instances are not bound:
 * their calls use the only running app's pipeline.
 */
@Injectable()
export class CacheKitExplorer implements OnModuleInit, OnModuleDestroy {
  readonly #bound: object[] = [];
  readonly #hasCachedMethods = new WeakMap<object, boolean>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly runtime: CacheKitRuntime,
  ) {}

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      if (wrapper.isAlias || !wrapper.isDependencyTreeStatic()) continue;
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance);
      if (!proto || !this.#declaresCachedMethods(proto)) continue;
      bindInstance(instance, this.runtime.pipeline);
      this.#bound.push(instance);
    }
    // Last: had binding thrown, no destroy hook would run to unregister a pipeline registered first.
    registerInvoker(this.runtime.pipeline);
  }

  onModuleDestroy(): void {
    for (const instance of this.#bound.splice(0)) unbindInstance(instance, this.runtime.pipeline);
    unregisterInvoker(this.runtime.pipeline);
  }

  #declaresCachedMethods(proto: object): boolean {
    let known = this.#hasCachedMethods.get(proto);
    if (known === undefined) {
      known = false;
      for (let p: object | null = proto; p && p !== Object.prototype && !known; p = Object.getPrototypeOf(p)) {
        known = Object.getOwnPropertyNames(p).some((name) =>
          decoratedMethodOf(Object.getOwnPropertyDescriptor(p!, name)?.value),
        );
      }
      this.#hasCachedMethods.set(proto, known);
    }
    return known;
  }
}
