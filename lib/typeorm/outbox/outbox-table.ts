import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { OutboxError } from './outbox.errors.js';
import { outboxMessages } from './outbox.messages.js';

type Querier = Pick<QueryRunner | EntityManager | DataSource, 'query'>;

/** One row taken by the relay. */
export interface OutboxRow {
  id: string;
  payload: string;
}

/**
 * The SQL of the outbox table for one DataSource: PostgreSQL (schema-qualified, `FOR UPDATE SKIP
 * LOCKED` so concurrent relays take disjoint rows) or SQLite (one writer; no row locks).
 */
export class OutboxTable {
  readonly path: string;
  readonly postgres: boolean;

  constructor(dataSource: DataSource, dataSourceName: string, table: string) {
    const type = String(dataSource.options.type);
    this.postgres = type === 'postgres';
    if (!this.postgres && type !== 'sqlite' && type !== 'better-sqlite3') {
      throw new OutboxError(outboxMessages.unsupportedDriver(dataSourceName, type));
    }
    const schema = this.postgres ? (dataSource.options as { schema?: string }).schema : undefined;
    this.path = schema ? `"${schema.replace(/"/g, '""')}"."${table}"` : `"${table}"`;
  }

  /** Throws when the table cannot be read (not migrated yet). */
  async check(db: Querier): Promise<void> {
    await db.query(`SELECT id, created_ms, payload FROM ${this.path} WHERE 1 = 0`);
  }

  insert(db: Querier, id: string, payload: string): Promise<unknown> {
    return db.query(
      `INSERT INTO ${this.path} (id, created_ms, payload) VALUES (${this.#p(1)}, ${this.#p(2)}, ${this.#p(3)})`,
      [id, Date.now(), payload],
    );
  }

  delete(db: Querier, ids: readonly string[]): Promise<unknown> {
    if (this.postgres) return db.query(`DELETE FROM ${this.path} WHERE id = ANY($1)`, [ids]);
    return db.query(`DELETE FROM ${this.path} WHERE id IN (${ids.map(() => '?').join(', ')})`, [...ids]);
  }

  /** The oldest rows written before `cutoffMs`; on PostgreSQL locked until the caller's transaction ends. */
  async take(db: Querier, cutoffMs: number, limit: number): Promise<OutboxRow[]> {
    const lock = this.postgres ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = (await db.query(
      `SELECT id, payload FROM ${this.path} WHERE created_ms <= ${this.#p(1)} ORDER BY created_ms LIMIT ${this.#p(2)}${lock}`,
      [cutoffMs, limit],
    )) as OutboxRow[];
    return rows;
  }

  async count(db: Querier): Promise<number> {
    const [row] = (await db.query(`SELECT COUNT(*) AS n FROM ${this.path}`)) as { n: number | string }[];
    return Number(row?.n ?? 0);
  }

  #p(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }
}
