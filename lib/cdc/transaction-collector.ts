import { Logger } from '@nestjs/common';
import type { EntityMetadata } from 'typeorm';
import { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import type { BulkChange, InvalidationRegistry } from '../typeorm/index.js';
import { PendingEvictions } from '../typeorm/pending-evictions.js';
import { cdcMessages } from './cdc.messages.js';
import type { MappedChange } from './wal-row-mapper.js';

interface EntityShare {
  metadata: EntityMetadata;
  rows: number;
  /** Set once the entity went bulk in this transaction: its per-row targets were dropped. */
  bulk?: BulkChange['kind'];
  pending: PendingEvictions;
}

/**
 * What one replicated transaction invalidates, collected per entity: the rules run per row until an
 * entity passes `bulkThreshold` rows (or a row cannot be read, or a TRUNCATE), then that entity's
 * rows are forgotten and its `bulk` handler runs once at COMMIT, so memory stays bounded.
 */
export class TransactionCollector {
  readonly #shares = new Map<EntityMetadata, EntityShare>();
  #rows = 0;

  constructor(
    private readonly registry: InvalidationRegistry,
    private readonly bulkThreshold: number,
    /** Shared by every transaction of one consumer, so an unreadable table is logged once. */
    private readonly log: RateLimitedLogger,
  ) {}

  /** Row changes seen in this transaction (of tables with an entity). */
  get rows(): number {
    return this.#rows;
  }

  /** Adds one row change. */
  add(mapped: MappedChange): void {
    this.#rows++;
    const share = this.#share(mapped.metadata);
    share.rows++;
    if ('unreadable' in mapped) {
      const table = mapped.metadata.tablePath;
      this.log.once(`unreadable:${table}`, cdcMessages.unmappedTable(table, mapped.unreadable));
      return this.goBulk(mapped.metadata, mapped.change.kind);
    }
    if (share.bulk) return;
    const { kind } = mapped.change;
    if (share.rows > this.bulkThreshold) return this.goBulk(mapped.metadata, kind === 'insert' ? 'update' : kind);
    this.registry.collect(mapped.metadata, mapped.change, share.pending);
  }

  /** The entity's changes in this transaction are treated as one bulk change (rows unknown). */
  goBulk(metadata: EntityMetadata, kind: BulkChange['kind']): void {
    const share = this.#share(metadata);
    if (share.bulk) return;
    share.bulk = kind;
    share.pending = new PendingEvictions();
  }

  /** Everything to evict at COMMIT. */
  finish(): PendingEvictions {
    const all = new PendingEvictions();
    for (const share of this.#shares.values()) {
      if (share.bulk) {
        const bulk: BulkChange = { kind: share.bulk, entityName: share.metadata.name };
        this.registry.collect(share.metadata, bulk, share.pending);
      }
      all.merge(share.pending);
    }
    return all;
  }

  #share(metadata: EntityMetadata): EntityShare {
    let share = this.#shares.get(metadata);
    if (!share) this.#shares.set(metadata, (share = { metadata, rows: 0, pending: new PendingEvictions() }));
    return share;
  }
}

/** A logger for the CDC consumer's rate-limited messages. */
export function cdcLogger(): RateLimitedLogger {
  return new RateLimitedLogger(new Logger('CacheKitCdc'));
}
