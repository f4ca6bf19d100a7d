import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { typeormMessages } from './typeorm.messages.js';

/** When a cached read inside a transaction bypasses the cache: after the transaction wrote, inside any, or never. */
export type TransactionReads = 'after-write' | 'any' | 'cache';

/** One `transaction(...)` callback running: its QueryRunner, and whether it has written yet. */
interface OpenTransaction {
  runner: QueryRunner | undefined;
  wrote: boolean;
}

type TransactionFn = EntityManager['transaction'];

/**
 * Tells whether the current call runs inside a TypeORM transaction that may hold uncommitted rows,
 * so that a cached read there neither serves nor stores them. `dataSource.manager.transaction` (and
 * so `dataSource.transaction`) runs its callback inside an AsyncLocalStorage context; entity
 * after-hooks on that transaction mark it as having written. With SQLite, one connection serves
 * every caller, so while any transaction that wrote is open, every read on that DataSource bypasses.
 * The bridge's subscriber reports each write (`wrote()`) from the entity hooks it already has.
 * Not seen: transactions begun by hand (`queryRunner.startTransaction()`), and writes that fire no
 * entity hook (raw `query()`): use `transactionReads: 'any'` for those.
 */
export class DirtyTransactions {
  readonly #context = new AsyncLocalStorage<OpenTransaction>();
  readonly #restore: (() => void)[] = [];
  // SQLite: transactions that wrote and are still open, per DataSource (one connection for all).
  readonly #sharedDirty = new Map<DataSource, Set<OpenTransaction>>();

  constructor(private readonly mode: TransactionReads) {}

  /** Wraps the DataSource's `manager.transaction`; undone by `detachAll`. */
  attach(dataSource: DataSource): void {
    if (this.mode === 'cache') return;
    const manager = dataSource.manager;
    const original = manager.transaction;
    const shared = isSingleConnection(dataSource) ? new Set<OpenTransaction>() : undefined;
    if (shared) this.#sharedDirty.set(dataSource, shared);
    const context = this.#context;
    // Another app on the same DataSource may wrap ours: once detached, this wrapper only passes through.
    let active = true;
    const wrapped = function (this: EntityManager, ...args: unknown[]) {
      if (!active) return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      const index = typeof args[0] === 'function' ? 0 : 1;
      const run = args[index] as (manager: EntityManager) => Promise<unknown>;
      if (typeof run === 'function') {
        args[index] = (inner: EntityManager) => {
          const open: OpenTransaction = { runner: inner.queryRunner, wrote: false };
          return context.run(open, async () => {
            try {
              return await run(inner);
            } finally {
              shared?.delete(open);
            }
          });
        };
      }
      return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as TransactionFn;
    manager.transaction = wrapped;
    this.#restore.push(() => {
      active = false;
      if (manager.transaction === wrapped) manager.transaction = original;
      this.#sharedDirty.delete(dataSource);
    });
  }

  /** Undoes every `attach`. */
  detachAll(): void {
    for (const restore of this.#restore.splice(0)) restore();
  }

  /** Why a cached read here must bypass the cache, or undefined when it may use it. */
  reason(): string | undefined {
    const open = this.#context.getStore();
    if (open && (open.runner?.isTransactionActive ?? true)) {
      if (this.mode === 'any') return typeormMessages.readInTransaction();
      if (open.wrote) return typeormMessages.readAfterWrite();
    }
    for (const dirty of this.#sharedDirty.values()) if (dirty.size > 0) return typeormMessages.readDuringSqliteWrite();
    return undefined;
  }

  /** An entity hook saw a write (insert, update, remove, soft-remove, recover; bulk ones too) in the current context. */
  wrote(): void {
    const open = this.#context.getStore();
    if (!open || open.wrote) return;
    open.wrote = true;
    if (open.runner) this.#sharedDirty.get(open.runner.connection)?.add(open);
  }
}

// SQLite drivers keep one connection: a transaction on it is seen by every query of the DataSource.
function isSingleConnection(dataSource: DataSource): boolean {
  const type = dataSource.options.type as string;
  return type === 'sqlite' || type === 'better-sqlite3' || type === 'sqljs' || type === 'capacitor' || type === 'expo';
}
