import { Duration, parseDuration } from '../../definitions/duration.js';
import { OutboxError } from './outbox.errors.js';
import { outboxMessages } from './outbox.messages.js';

/** The default name of the outbox table (the one CacheKitOutboxMigration creates). */
export const DEFAULT_OUTBOX_TABLE = 'cachekit_outbox';

/**
 * Options of the transactional outbox (`CacheKitTypeOrmModule.forRoot({ outbox })`).
 * @example CacheKitTypeOrmModule.forRoot({ rules, outbox: { relayInterval: '30s' } })
 */
export interface OutboxOptions {
  /** The outbox table (create it with CacheKitOutboxMigration or createOutboxMigration(table)). Default: 'cachekit_outbox'. */
  table?: string;
  /** How often the relay replays rows left behind (a crash, or Redis down until shutdown). Default: '10s'. */
  relayInterval?: Duration;
  /** Rows younger than this are left to the instance that wrote them (it deletes them once evicted). Default: '5s'. */
  relayAfter?: Duration;
  /** Rows one relay round takes at most (one store call per round). Default: 500. */
  relayBatch?: number;
}

/** Outbox options after validation. */
export interface ResolvedOutboxOptions {
  table: string;
  relayIntervalMs: number;
  relayAfterMs: number;
  relayBatch: number;
}

const KNOWN: readonly (keyof OutboxOptions)[] = ['table', 'relayInterval', 'relayAfter', 'relayBatch'];
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks the `outbox` option at boot; undefined when the outbox is off. */
export function resolveOutboxOptions(value: unknown): ResolvedOutboxOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new OutboxError(outboxMessages.invalidOption(value));
  }
  const options: OutboxOptions = value === true ? {} : (value as OutboxOptions);
  for (const name of Object.keys(options)) {
    if (!KNOWN.includes(name as keyof OutboxOptions)) throw new OutboxError(outboxMessages.unknownOption(name, KNOWN));
  }
  const table = options.table ?? DEFAULT_OUTBOX_TABLE;
  if (typeof table !== 'string' || !TABLE.test(table)) throw new OutboxError(outboxMessages.invalidTable(table));
  const relayBatch = options.relayBatch ?? 500;
  if (!Number.isInteger(relayBatch) || relayBatch < 1) throw new OutboxError(outboxMessages.invalidBatch(relayBatch));
  return {
    table,
    relayIntervalMs: duration(options.relayInterval ?? '10s', 'outbox.relayInterval'),
    relayAfterMs: duration(options.relayAfter ?? '5s', 'outbox.relayAfter'),
    relayBatch,
  };
}

function duration(value: unknown, option: string): number {
  try {
    return parseDuration(value, `CacheKitTypeOrmModule option '${option}'`);
  } catch (error) {
    throw new OutboxError((error as Error).message);
  }
}
