import type { DataSource } from 'typeorm';
import type { CacheKit } from '../../cachekit.service.js';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxTable } from './outbox-table.js';
import { OutboxWriter } from './outbox.writer.js';
import type { ResolvedOutboxOptions } from './outbox.options.js';
import { OutboxError } from './outbox.errors.js';
import { outboxMessages } from './outbox.messages.js';

/** The outbox on one DataSource: the writer its subscriber uses and the relay that replays leftovers. */
export interface OutboxBinding {
  writer: OutboxWriter;
  relay: OutboxRelay;
}

/** Checks the driver and the table (boot fails when the migration has not run) and builds the binding. */
export async function bindOutbox(
  dataSource: DataSource,
  name: string,
  options: ResolvedOutboxOptions,
  cacheKit: CacheKit,
): Promise<OutboxBinding> {
  const table = new OutboxTable(dataSource, name, options.table);
  try {
    await table.check(dataSource);
  } catch (error) {
    throw new OutboxError(outboxMessages.missingTable(name, table.path, error));
  }
  return {
    writer: new OutboxWriter(dataSource, table),
    relay: new OutboxRelay(dataSource, name, table, cacheKit, options),
  };
}
