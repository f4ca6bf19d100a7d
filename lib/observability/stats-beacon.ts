import type { Cluster, Redis } from 'ioredis';
import { hostname } from 'node:os';
import { within } from '../timing/within.js';
import type { CacheStats, StoreStats } from './cache-event.interface.js';
import type { RateLimitedLogger } from './rate-limited-logger.js';

/** What one instance publishes under its beacon key, read by `cachekit stats` and `cachekit report`. */
export interface BeaconSnapshot {
  /** The instance's name (option `statsBeacon.instance`, default `<host>-<pid>`). */
  instance: string;
  host: string;
  pid: number;
  /** When it was written (ISO). */
  at: string;
  /** How often it is rewritten, ms; it expires after three intervals without a write. */
  intervalMs: number;
  stats: Record<string, CacheStats & { hitRatio: number }>;
  store: StoreStats;
  /** `CacheKit.report()` where this version has one. */
  report?: unknown;
}

/** What the beacon needs of the instance each time it writes. */
export type BeaconSource = () => Pick<BeaconSnapshot, 'stats' | 'store'>;

/** `CacheKit.report()`, where the core has one: it samples the store, so it runs far less often. */
export type BeaconReportSource = () => Promise<unknown>;

// Missing this many writes in a row and the instance is gone from `cachekit stats`.
const LIFE_IN_INTERVALS = 3;
const STOP_WAIT_MS = 500;
// A report SCANs the store (bounded): at most this often, whatever the beacon's interval.
const REPORT_EVERY_MS = 30_000;

/** A default instance name that is a valid key part: host and pid, anything odd replaced. */
export function defaultInstanceName(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
}

/**
 * Opt-in: writes this instance's stats snapshot to `{ns:~beacon:instance}` every interval, with a
 * TTL of three intervals, so an operator's CLI sees every running instance with a SCAN and a dead
 * one disappears by itself. A failed write is logged (rate-limited) and never reaches a caller.
 */
export class StatsBeacon {
  #timer?: NodeJS.Timeout;
  #report?: unknown;
  #reportAt = -Infinity;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly key: string,
    private readonly instance: string,
    private readonly intervalMs: number,
    private readonly source: BeaconSource,
    private readonly log: RateLimitedLogger,
    private readonly reportSource?: BeaconReportSource,
  ) {}

  /** Writes now, then every interval (the timer never holds the process open). */
  start(): void {
    void this.write();
    this.#timer = setInterval(() => void this.write(), this.intervalMs).unref();
  }

  /** One write of the current snapshot; resolves false when Redis refused it. */
  async write(): Promise<boolean> {
    this.#refreshReport();
    const snapshot: BeaconSnapshot = {
      instance: this.instance,
      host: hostname(),
      pid: process.pid,
      at: new Date().toISOString(),
      intervalMs: this.intervalMs,
      ...this.source(),
      ...(this.#report === undefined ? {} : { report: this.#report }),
    };
    try {
      await this.client.set(this.key, JSON.stringify(snapshot), 'PX', this.intervalMs * LIFE_IN_INTERVALS);
      return true;
    } catch (error) {
      this.log.warn('stats-beacon', `Stats beacon not written (${(error as Error).message}); retrying next interval.`);
      return false;
    }
  }

  // The report is written with the next beacon after it resolves; a failed one keeps the last.
  #refreshReport(): void {
    const now = Date.now();
    if (!this.reportSource || now - this.#reportAt < REPORT_EVERY_MS) return;
    this.#reportAt = now;
    this.reportSource().then(
      (report) => (this.#report = report),
      () => undefined,
    );
  }

  /** Stops writing and removes the beacon (bounded: a frozen Redis lets it expire instead). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await within(
      this.client.del(this.key).catch(() => 0),
      STOP_WAIT_MS,
    );
  }
}
