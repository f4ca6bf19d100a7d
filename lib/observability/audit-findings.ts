import type { AuditMismatch, AuditStats } from './observability.interface.js';

// Enough to show a team which keys and tags go stale, small enough to keep per cache name.
const RECENT = 20;

/** What the staleness audit found for one cache name: counts and the latest mismatches. */
export class AuditFindings {
  checks = 0;
  mismatches = 0;
  skipped = 0;
  inconclusive = 0;
  readonly #recent: AuditMismatch[] = [];

  mismatch(finding: AuditMismatch): void {
    this.mismatches++;
    this.#recent.push(finding);
    if (this.#recent.length > RECENT) this.#recent.shift();
  }

  snapshot(): AuditStats {
    return {
      checks: this.checks,
      mismatches: this.mismatches,
      skipped: this.skipped,
      inconclusive: this.inconclusive,
      recent: this.#recent.map((finding) => ({ ...finding, tags: [...finding.tags] })),
    };
  }
}
