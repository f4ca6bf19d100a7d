import { createRequire } from 'node:module';
import type { DataSource } from 'typeorm';

/** How the replication and lock clients connect (the subset of pg's ClientConfig this module passes on). @example { connectionString: 'postgres://replicator@db/shop' } */
export interface PgConnectionConfig {
  connectionString?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  ssl?: unknown;
  [option: string]: unknown;
}

/** The few methods of a pg Client used here (pg ships no types of its own). */
export interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const require = createRequire(import.meta.url);

/** A new, unconnected pg Client; pg is an optional peer of this subpath, loaded on first use. */
export function newPgClient(config: PgConnectionConfig): PgClient {
  const { Client } = require('pg') as { Client: new (config: PgConnectionConfig) => PgClient };
  return new Client(config);
}

/** The connection settings: the option, else the DataSource's own. */
export function connectionOf(
  option: string | PgConnectionConfig | undefined,
  dataSource: DataSource,
): PgConnectionConfig {
  if (typeof option === 'string') return { connectionString: option };
  if (option) return option;
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    database?: string;
    ssl?: unknown;
  };
  if (o.url) return { connectionString: o.url, ssl: o.ssl };
  return { host: o.host, port: o.port, user: o.username, password: o.password, database: o.database, ssl: o.ssl };
}
