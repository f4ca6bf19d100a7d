import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { Subject } from 'rxjs';
import type { CacheKit } from '../cachekit.service.js';
import type { InvalidationRegistry } from '../typeorm/index.js';
import type { CdcEvent, CdcState, CdcStats } from './cdc-events.js';
import { cdcMessages } from './cdc.messages.js';
import type { ResolvedCdcOptions } from './cdc.options.js';
import { chunksOf, evictConfirmed } from './confirmed-eviction.js';
import { PgConnectionConfig, newPgClient } from './pg-client.js';
import { TransactionCollector, cdcLogger } from './transaction-collector.js';
import type { WalRowChange, WalRowMapper } from './wal-row-mapper.js';

interface WalMessage {
  tag: string;
  commitEndLsn?: string | null;
  commitTime?: bigint;
  relations?: { schema: string; name: string }[];
}

/**
 * One slot's consumer: holds a session advisory lock so one instance per slot streams (the others
 * stand by and retry every `retryInterval`; the lock dies with its holder's connection), turns each
 * committed transaction into rule calls, evicts after its COMMIT record and acknowledges the LSN
 * only once the store confirmed. A crash before the acknowledgement replays the transaction.
 */
export class CdcConsumer {
  readonly events = new Subject<CdcEvent>();
  readonly #stats: CdcStats = { state: 'starting', transactions: 0, rows: 0, unconfirmed: 0 };
  readonly #abort = new AbortController();
  readonly #log = cdcLogger();
  #loop?: Promise<void>;
  #tx?: TransactionCollector;

  constructor(
    private readonly connection: PgConnectionConfig,
    private readonly options: ResolvedCdcOptions,
    private readonly registry: InvalidationRegistry,
    private readonly mapper: WalRowMapper,
    private readonly cacheKit: CacheKit,
  ) {}

  stats(): CdcStats {
    return { ...this.#stats };
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    this.#state('stopped');
    this.events.complete();
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      try {
        await this.#session();
      } catch (error) {
        if (!this.#abort.signal.aborted) this.#log.warn('connect', cdcMessages.connectFailed(error));
      }
      await this.#pause(this.options.retryIntervalMs);
    }
  }

  // One attempt: take the lock or stand by; stream until an error, a lost connection or shutdown.
  async #session(): Promise<void> {
    const lock = newPgClient(this.connection);
    let failed!: (error?: unknown) => void;
    const ended = new Promise<unknown>((resolve) => (failed = resolve));
    lock.on('error', failed);
    await lock.connect();
    let service: LogicalReplicationService | undefined;
    let stopListening = () => {};
    try {
      const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        `cachekit_cdc:${this.options.slot}`,
      ]);
      if (!rows[0]?.ok) return this.#state('standby');
      // A keepalive reply must never move the slot back: start from what it confirmed (another holder may have moved it on).
      const slot = await lock.query<{ lsn: string | null }>(
        'SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1',
        [this.options.slot],
      );
      this.#stats.acknowledgedLsn = slot.rows[0]?.lsn ?? this.#stats.acknowledgedLsn;
      service = new LogicalReplicationService(this.connection, {
        acknowledge: { auto: false, timeoutSeconds: 0 },
        flowControl: { enabled: true },
      });
      const replication = service;
      replication.on('error', failed);
      replication.on('data', (lsn: string, message: WalMessage) => this.#onMessage(replication, lsn, message));
      replication.on('heartbeat', (_lsn: string, _at: number, respond: boolean) => {
        // Answer with what the store confirmed, never with what merely arrived.
        const confirmed = this.#stats.acknowledgedLsn;
        if (respond && confirmed) void replication.acknowledge(confirmed).catch(() => undefined);
      });
      const onAbort = () => failed();
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
      stopListening = () => this.#abort.signal.removeEventListener('abort', onAbort);
      const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.options.publication] });
      replication.subscribe(plugin, this.options.slot).then(
        () => failed(new Error('replication stream ended')),
        (error: unknown) => failed(error),
      );
      this.#state('active');
      const error = await ended;
      if (error && !this.#abort.signal.aborted) throw error;
    } finally {
      stopListening();
      this.#tx = undefined;
      await service?.destroy().catch(() => undefined);
      await lock.end().catch(() => undefined);
    }
  }

  async #onMessage(service: LogicalReplicationService, lsn: string, message: WalMessage): Promise<void> {
    try {
      switch (message.tag) {
        case 'begin':
          this.#tx = new TransactionCollector(this.registry, this.options.bulkThreshold, this.#log);
          return;
        case 'insert':
        case 'update':
        case 'delete': {
          const mapped = this.mapper.map(message as unknown as WalRowChange);
          if (mapped) this.#tx?.add(mapped);
          return;
        }
        case 'truncate':
          for (const relation of message.relations ?? []) {
            const metadata = this.mapper.metadataOf(relation);
            if (metadata) this.#tx?.goBulk(metadata, 'remove');
          }
          return;
        case 'commit':
          return await this.#commit(service, lsn, message);
      }
    } catch (error) {
      // A bug here must not silently acknowledge: drop the stream, resume from the last acknowledged LSN.
      this.#log.error('message', `CacheKitCdc: could not process a WAL message at ${lsn}: ${String(error)}`);
      service.emit('error', error);
    }
  }

  async #commit(service: LogicalReplicationService, lsn: string, message: WalMessage): Promise<void> {
    const tx = this.#tx;
    this.#tx = undefined;
    const ackLsn = message.commitEndLsn ?? lsn;
    if (!tx) return;
    const pending = tx.finish();
    this.events.next({ type: 'received', lsn: ackLsn, rows: tx.rows });
    for (const chunk of chunksOf(pending, this.options.batchSize)) {
      const onWait = (attempt: number) => {
        this.#stats.unconfirmed++;
        this.#log.warn('unconfirmed', cdcMessages.evictionWaiting(attempt));
      };
      const confirmed = await evictConfirmed(
        this.cacheKit,
        chunk,
        this.options.retryIntervalMs,
        onWait,
        this.#abort.signal,
      );
      if (!confirmed) return; // shutting down: not acknowledged, the next holder replays it
    }
    await service.acknowledge(ackLsn);
    const committedAtMs = message.commitTime === undefined ? undefined : Number(message.commitTime / 1000n);
    const lagMs = committedAtMs === undefined ? 0 : Math.max(0, Date.now() - committedAtMs);
    Object.assign(this.#stats, { acknowledgedLsn: ackLsn, lagMs });
    this.#stats.transactions++;
    this.#stats.rows += tx.rows;
    const bulk = pending.changes.filter((c) => c.bulk).map((c) => c.entity);
    const { tags, keys } = pending.targets;
    this.events.next({ type: 'evicted', lsn: ackLsn, rows: tx.rows, tags, keys, bulk, lagMs });
  }

  #state(state: CdcState): void {
    if (this.#stats.state === state) return;
    this.#stats.state = state;
    this.events.next({ type: 'state', state });
  }

  #pause(ms: number): Promise<void> {
    const signal = this.#abort.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
