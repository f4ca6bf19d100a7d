import type { EntityChangeKind } from './entity-change.interface.js';
import { EvictionTargets } from './eviction-targets.js';

/** One kind of change behind an eviction, counted: `{ entity: 'Product', kind: 'update', count: 2 }`. */
export interface ChangeSummary {
  entity: string;
  /** `explicit` for evictAfterCommit(...). */
  kind: EntityChangeKind | 'explicit';
  /** True for QueryBuilder / update() / delete() changes, whose rows are unknown. */
  bulk: boolean;
  count: number;
}

/** What one transaction (or savepoint) has to evict once it commits: targets, delayed repeats, and why. */
export class PendingEvictions {
  readonly targets = new EvictionTargets();
  /** Second evictions, by delay in ms. */
  readonly repeats = new Map<number, EvictionTargets>();
  readonly #changes = new Map<string, ChangeSummary>();

  record(change: Omit<ChangeSummary, 'count'>, targets: EvictionTargets, againMs?: number): void {
    const id = `${change.entity}\u0000${change.kind}\u0000${change.bulk}`;
    const known = this.#changes.get(id);
    if (known) known.count++;
    else this.#changes.set(id, { ...change, count: 1 });
    this.targets.merge(targets);
    if (againMs !== undefined) this.#repeat(againMs).merge(targets);
  }

  /** Takes over what a committed savepoint collected. */
  merge(other: PendingEvictions): this {
    for (const [id, change] of other.#changes) {
      const known = this.#changes.get(id);
      if (known) known.count += change.count;
      else this.#changes.set(id, { ...change });
    }
    this.targets.merge(other.targets);
    for (const [delay, targets] of other.repeats) this.#repeat(delay).merge(targets);
    return this;
  }

  get changes(): ChangeSummary[] {
    return [...this.#changes.values()];
  }

  get isEmpty(): boolean {
    return this.targets.size === 0;
  }

  #repeat(delayMs: number): EvictionTargets {
    let targets = this.repeats.get(delayMs);
    if (!targets) this.repeats.set(delayMs, (targets = new EvictionTargets()));
    return targets;
  }
}
