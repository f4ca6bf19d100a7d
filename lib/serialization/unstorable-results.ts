/** Why a result was not stored: it could not be serialized, or it was over maxValueBytes. */
export type UnstorableReason = 'serialize' | 'size';

/** The last failure of one cache name for one reason. */
export interface UnstorableRecord {
  /** Epoch ms until which the failure counts as recent. */
  until: number;
  /** What was wrong, for the messages of later skips: 'a function at result.rows[0].format'. */
  cause: string;
  loggedAt: number;
  /** Results not stored since the last log line. */
  unlogged: number;
}

/**
 * Remembers, per cache name and reason, that a result could not be stored, for `pauseMs`: the
 * codec then skips the work that failed (or bounds it), and logs one line per pause instead of one
 * per call. Grows with the number of cache names only, which code defines.
 */
export class UnstorableResults {
  readonly #records = new Map<string, UnstorableRecord>();

  constructor(private readonly pauseMs: number) {}

  /** The failure of this cache name for this reason, while it is recent. */
  recent(name: string, reason: UnstorableReason, now: number): UnstorableRecord | undefined {
    const record = this.#records.get(`${reason}:${name}`);
    return record && now < record.until ? record : undefined;
  }

  /** Counts a result skipped because of a recent failure. */
  skipped(record: UnstorableRecord): void {
    record.unlogged++;
  }

  /**
   * Records a failure (the pause starts again). Returns how many results were not stored since the
   * last log line when this one should be logged (the first of a pause), else undefined.
   */
  failed(name: string, reason: UnstorableReason, cause: string, now: number): number | undefined {
    const key = `${reason}:${name}`;
    const record = this.#records.get(key);
    if (!record) {
      this.#records.set(key, { until: now + this.pauseMs, cause, loggedAt: now, unlogged: 0 });
      return 0;
    }
    record.until = now + this.pauseMs;
    record.cause = cause;
    if (now - record.loggedAt < this.pauseMs) {
      record.unlogged++;
      return undefined;
    }
    const unlogged = record.unlogged;
    record.loggedAt = now;
    record.unlogged = 0;
    return unlogged;
  }
}
