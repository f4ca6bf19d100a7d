import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Observable, Subject } from 'rxjs';
import { InstanceChecker } from 'typeorm';
import type { DataSource } from 'typeorm';
import { CacheKit } from '../cachekit.service.js';
import { InvalidationRegistry } from '../typeorm/index.js';
import { CACHEKIT_CDC_MODULE_OPTIONS } from './cachekit-cdc.module-definition.js';
import type { CdcEvent, CdcStats } from './cdc-events.js';
import { CdcConsumer } from './cdc.consumer.js';
import { CacheKitCdcSetupError } from './cdc.errors.js';
import { cdcMessages } from './cdc.messages.js';
import { resolveCdcOptions } from './cdc.options.js';
import type { CacheKitCdcModuleOptions, ResolvedCdcOptions } from './cdc.options.js';
import { connectionOf, newPgClient } from './pg-client.js';
import { checkWalLevel, ensurePublicationAndSlot, publishedTables, ruleMetadatas } from './replication-setup.js';
import { WalRowMapper } from './wal-row-mapper.js';

/**
 * The CDC consumer at runtime: its state, lag and counters, and its events.
 * @example constructor(private readonly cdc: CacheKitCdc) {} ... this.cdc.stats().lagMs
 */
@Injectable()
export class CacheKitCdc implements OnModuleInit, OnModuleDestroy {
  readonly #events = new Subject<CdcEvent>();
  readonly #options: ResolvedCdcOptions;
  #consumer?: CdcConsumer;

  constructor(
    @Inject(CACHEKIT_CDC_MODULE_OPTIONS) options: CacheKitCdcModuleOptions,
    @Inject(CacheKit) private readonly cacheKit: CacheKit,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {
    this.#options = resolveCdcOptions(options);
  }

  /** Everything the consumer does: state changes, transactions received and evicted (with their lag). */
  get events$(): Observable<CdcEvent> {
    return this.#events.asObservable();
  }

  /** State (active / standby), lag of the last evicted transaction, last acknowledged LSN, counters. */
  stats(): CdcStats {
    return this.#consumer?.stats() ?? { state: 'starting', transactions: 0, rows: 0, unconfirmed: 0 };
  }

  async onModuleInit(): Promise<void> {
    const dataSource = await this.#dataSource();
    const type = String(dataSource.options.type);
    if (type !== 'postgres') throw new CacheKitCdcSetupError(cdcMessages.notPostgres(type));
    const registry = this.#registry();
    const entities = this.#options.rules?.map((rule) => rule.entity);
    const metadatas = entities ? ruleMetadatas(dataSource, entities) : dataSource.entityMetadatas;
    const connection = connectionOf(this.#options.connection, dataSource);
    const admin = newPgClient(connection);
    await admin.connect();
    try {
      await checkWalLevel(admin);
      if (this.#options.create) {
        const tables = publishedTables(dataSource, metadatas);
        await ensurePublicationAndSlot(admin, this.#options.publication, this.#options.slot, tables);
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
    const consumer = new CdcConsumer(connection, this.#options, registry, new WalRowMapper(dataSource), this.cacheKit);
    consumer.events.subscribe(this.#events);
    this.#consumer = consumer;
    consumer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.#consumer?.stop();
    this.#events.complete();
  }

  #registry(): InvalidationRegistry {
    if (this.#options.rules) {
      const registry = new InvalidationRegistry();
      registry.add(this.#options.rules);
      return registry;
    }
    try {
      return this.moduleRef.get(InvalidationRegistry, { strict: false });
    } catch {
      throw new CacheKitCdcSetupError(cdcMessages.noRules());
    }
  }

  async #dataSource(): Promise<DataSource> {
    const option = this.#options.dataSource;
    if (typeof option !== 'string') return option;
    let found: unknown;
    try {
      const { getDataSourceToken } = await import('@nestjs/typeorm');
      found = this.moduleRef.get(getDataSourceToken(option) as string, { strict: false });
    } catch {
      found = undefined;
    }
    if (!InstanceChecker.isDataSource(found)) throw new CacheKitCdcSetupError(cdcMessages.dataSourceNotFound(option));
    return found;
  }
}
