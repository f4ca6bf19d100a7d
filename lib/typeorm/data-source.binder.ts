import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import { InstanceChecker } from 'typeorm';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import { CACHEKIT_TYPEORM_OPTIONS } from './cachekit-typeorm.module-definition.js';
import type { ResolvedTypeOrmOptions } from './cachekit-typeorm.options.js';
import { EvictionDispatcher } from './eviction-dispatcher.js';
import { EvictionEventPublisher } from './eviction-events.js';
import { PostCommitSubscriber } from './post-commit.subscriber.js';
import { DirtyTransactions } from './dirty-transactions.js';
import { CacheKit } from '../cachekit.service.js';
import { InvalidationRegistry } from './typeorm-invalidation.registry.js';
import { DataSourceBindingError } from './typeorm.errors.js';
import { OutboxRelay } from './outbox/outbox.relay.js';
import { bindOutbox } from './outbox/outbox.binding.js';
import { typeormMessages } from './typeorm.messages.js';

/**
 * Attaches one PostCommitSubscriber to each watched DataSource at init and detaches it at destroy
 * (after one last attempt for queued evictions); wires the optional EventEmitter2.
 */
@Injectable()
export class DataSourceBinder implements OnModuleInit, OnModuleDestroy {
  #attached: { dataSource: DataSource; subscriber: PostCommitSubscriber }[] = [];
  #dirty?: { transactions: DirtyTransactions; unregister: () => void };
  #relays: OutboxRelay[] = [];

  constructor(
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(CACHEKIT_TYPEORM_OPTIONS) private readonly options: ResolvedTypeOrmOptions,
    @Inject(InvalidationRegistry) private readonly registry: InvalidationRegistry,
    @Inject(EvictionDispatcher) private readonly dispatcher: EvictionDispatcher,
    @Inject(EvictionEventPublisher) private readonly publisher: EvictionEventPublisher,
    @Inject(CacheKit) private readonly cacheKit: CacheKit,
  ) {}

  async onModuleInit(): Promise<void> {
    const sources = await this.#resolve();
    for (const { name, dataSource } of sources) {
      if (!dataSource.isInitialized) throw new DataSourceBindingError(typeormMessages.notInitialized(name));
    }
    // Reads inside a transaction that wrote bypass the cache (see dirty-transactions.ts).
    const transactions = new DirtyTransactions(this.options.transactionReads);
    const outbox = this.options.outbox;
    const bindings = outbox
      ? await Promise.all(sources.map(({ name, dataSource }) => bindOutbox(dataSource, name, outbox, this.cacheKit)))
      : [];
    sources.forEach(({ name, dataSource }, i) => {
      const subscriber = new PostCommitSubscriber(
        name,
        this.registry,
        this.dispatcher,
        transactions,
        bindings[i]?.writer,
      );
      (dataSource.subscribers as EntitySubscriberInterface[]).push(subscriber);
      this.#attached.push({ dataSource, subscriber });
    });
    for (const { dataSource } of sources) transactions.attach(dataSource);
    this.#dirty = { transactions, unregister: this.cacheKit.bypassReadsWhen(() => transactions.reason()) };
    this.#relays = bindings.map((binding) => binding.relay);
    for (const relay of this.#relays) relay.start();
    this.publisher.useEmitter(await this.#optional(async () => (await import('@nestjs/event-emitter')).EventEmitter2));
  }

  async onModuleDestroy(): Promise<void> {
    for (const { dataSource, subscriber } of this.#attached) {
      const subscribers = dataSource.subscribers as EntitySubscriberInterface[];
      const index = subscribers.indexOf(subscriber);
      if (index >= 0) subscribers.splice(index, 1);
    }
    this.#attached = [];
    this.#dirty?.unregister();
    this.#dirty?.transactions.detachAll();
    this.#dirty = undefined;
    await Promise.all(this.#relays.map((relay) => relay.stop()));
    this.#relays = [];
    await this.dispatcher.close();
    this.publisher.complete();
  }

  async #resolve(): Promise<{ name: string; dataSource: DataSource }[]> {
    const found = new Map<DataSource, string>();
    if (!this.options.dataSources) {
      for (const wrapper of this.discovery.getProviders()) {
        if (wrapper.isAlias || !wrapper.isDependencyTreeStatic()) continue;
        const instance: unknown = wrapper.instance;
        if (InstanceChecker.isDataSource(instance) && !found.has(instance)) found.set(instance, nameOf(instance));
      }
      if (found.size === 0) throw new DataSourceBindingError(typeormMessages.noDataSources());
    }
    for (const source of this.options.dataSources ?? []) {
      if (typeof source !== 'string') found.set(source, nameOf(source));
      else found.set(await this.#byName(source), source);
    }
    return [...found].map(([dataSource, name]) => ({ name, dataSource }));
  }

  async #byName(name: string): Promise<DataSource> {
    const dataSource = await this.#optional(async () => (await import('@nestjs/typeorm')).getDataSourceToken(name));
    if (!InstanceChecker.isDataSource(dataSource)) {
      throw new DataSourceBindingError(typeormMessages.dataSourceNotFound(name));
    }
    return dataSource;
  }

  // Resolves an optional provider anywhere in the app; undefined when its package or provider is absent.
  async #optional(token: () => Promise<unknown>): Promise<any> {
    try {
      return this.moduleRef.get((await token()) as string, { strict: false }) ?? undefined;
    } catch {
      return undefined;
    }
  }
}

function nameOf(dataSource: DataSource): string {
  return (dataSource.options as { name?: string }).name ?? 'default';
}
