import type { Invalidation } from '../../bus/invalidation-bus.js';
import type { CacheEvent } from '../../observability/cache-event.interface.js';
import type { CacheStatsRecorder } from '../../observability/cache-stats.js';
import type { L1Tier } from '../../l1/l1-tier.js';
import { NO_TAGS } from '../../keys/key-layout.js';
import type { FillTicket } from '../../stores/entry-store.interface.js';
import type { EntryCodec } from '../entry/entry-codec.js';
import { EntryPlan, longestLifeMs, revived, storedLifeMs } from '../entry/entry-plan.js';
import type { LoadControl, LoadOutcome } from '../engine.types.js';
import type { Evictor } from '../eviction/evictor.js';
import type { FailSafe } from '../fail-safe/fail-safe.js';
import type { OutageFallback } from '../fallback/outage-fallback.js';
import type { GuardedStore } from '../store-guard/guarded-store.js';

/** What filling needs from the engine around it. */
export interface FillerContext {
  failSafe: FailSafe;
  evictor: Evictor;
  /** True once the engine closed: loads still running never write. */
  closed(): boolean;
  emit(event: CacheEvent): void;
  /** An invalidation made here (after the store confirmed it): applied here, then published. */
  announce(what: Invalidation): Promise<void>;
}

// What #valueTagged answers when the store failed while reading the value's tags' versions.
const STORE_FAILED = Symbol('store failed');

/**
 * The write side of the engine: runs a load and stores its result, fenced by the versions
 * snapshotted before it began (by key, tags, value tags), puts values unconditionally, and keeps
 * what it loaded without the store for the outage fallback.
 */
export class EntryFiller {
  constructor(
    private readonly store: GuardedStore,
    private readonly codec: EntryCodec,
    private readonly stats: CacheStatsRecorder,
    private readonly context: FillerContext,
    private readonly l1?: L1Tier,
    private readonly fallback?: OutageFallback,
  ) {}

  /**
   * Runs `load` and stores its result, fenced by the versions snapshotted before it started
   * (`begun`, when the caller took them already): an invalidation meanwhile makes the fill a no-op.
   */
  async loadAndStore(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    control?: LoadControl,
    begun?: FillTicket,
  ): Promise<LoadOutcome> {
    const epoch = this.l1?.epoch ?? 0;
    const fallbackEpoch = this.fallback?.epoch ?? 0;
    const tagLifeMs = longestLifeMs(plan);
    const taken = begun ?? (await this.store.begin(plan.key, plan.tags, tagLifeMs));
    // A refresh holds the entry's lease: its fill may store past an expiry, and gives the lease back.
    const ticket = taken && control?.lease ? { ...taken, lease: control.lease } : taken;
    let timed: { value: unknown; loadMs: number };
    try {
      timed = await this.timedLoad(plan, load);
    } catch (error) {
      if (!plan.failSafe || control?.refresh || this.context.closed()) throw error;
      return this.context.failSafe.rescue(plan, error, ticket);
    }
    const { value, loadMs } = timed;
    if (!ticket) {
      this.stats.for(plan.name).storeErrors++;
      this.#keepForOutage(plan, value, fallbackEpoch);
      return { value, storeFailed: true };
    }
    if (this.context.closed() || control?.abandoned) return { value };
    const tagged = await this.#valueTagged(plan, value, ticket);
    if (!tagged) return { value };
    if (tagged === STORE_FAILED) return { value, storeFailed: true };
    const { fill, tags } = tagged;
    const entry = this.codec.encode(plan, value, loadMs, fill.tagVersions);
    if (!entry) return { value };
    if (plan.ttlFor && entry.ttlMs > tagLifeMs) {
      // The value asked for a longer life than the tags were given before the load: extend them,
      // and store only if none changed meanwhile (an eviction during the load fences it, as always).
      const versions = await this.store.tagVersions(plan.tags, entry.ttlMs);
      if (!versions) return { value, storeFailed: true };
      if (!versions.every((version, i) => version === ticket.tagVersions[i])) return { value };
    }
    const storedMs = storedLifeMs(plan, entry.ttlMs, value === null || value === undefined);
    const answer = this.store.fill(plan.key, fill, entry.payload, storedMs);
    const stored = answer.then((ok) => {
      if (ok) this.l1?.set(plan.key, value, entry.body, entry.freshUntil, tags, entry.ttlMs, epoch);
      return ok;
    });
    // Callers do not wait for their fill (one more round trip): the fill is already written to the
    // connection, and Redis runs one connection's commands in order, so this instance's next read
    // of the entry sees it. With an L1 they do: it holds only what Redis confirmed, and the next
    // caller is served from it. A background refresh has no caller: it reports once stored.
    if (control || this.l1) await stored;
    const leaseGivenBack = fill.lease === undefined ? undefined : answer.then((ok) => ok !== undefined);
    return { value, body: entry.body, leaseGivenBack };
  }

  /**
   * The ticket a fill of `value` stores with, and the tags its entry carries: with tags taken from
   * the value (`resultTags`), their versions follow the plan's. Undefined when the value must not
   * be stored (its tags function failed, or one of them was evicted during the load).
   */
  async #valueTagged(
    plan: EntryPlan,
    value: unknown,
    ticket: FillTicket,
  ): Promise<{ fill: FillTicket; tags: string[] } | typeof STORE_FAILED | undefined> {
    if (!plan.valueTagsFor) return { fill: ticket, tags: plan.tags };
    const valueTags = this.codec.valueTags(plan, value);
    if (!valueTags) return undefined;
    if (valueTags.length === 0) return { fill: { ...ticket, valueTags }, tags: plan.tags };
    // Their versions could not be snapshotted before the load: the store refuses them instead when
    // one of them was evicted since the load began (on any instance), as a changed version would.
    const fenced = await this.store.valueTagVersions(valueTags, longestLifeMs(plan, value), ticket);
    if (!fenced) return STORE_FAILED;
    const versions = fenced.versions;
    if (!versions) return undefined;
    return {
      fill: { ...ticket, tagVersions: [...ticket.tagVersions, ...versions], valueTags },
      tags: [...plan.tags, ...valueTags],
    };
  }

  /** Stores `value` unconditionally (subject to `unless`, negative caching, size), fencing older loads. */
  async write(plan: EntryPlan, value: unknown): Promise<boolean> {
    const valueTags = this.codec.valueTags(plan, value);
    const tags = valueTags && valueTags.length > 0 ? [...plan.tags, ...valueTags] : plan.tags;
    const checked = valueTags && (await this.#writeChecked(plan, value, valueTags, tags));
    if (checked !== undefined) return checked;
    // The put replaces the entry's version itself; only tag versions need reading first.
    const tagVersions = tags.length === 0 ? [] : await this.store.tagVersions(tags, longestLifeMs(plan, value));
    // The store failed: the old value must not stay, so its eviction waits for a retry.
    if (!tagVersions) return this.context.evictor.putFailed(plan);
    const entry = valueTags && this.codec.encode(plan, value, 0, tagVersions);
    if (!entry) return this.#notStored(plan);
    const ok = await this.store.put(
      plan.key,
      entry.payload,
      storedLifeMs(plan, entry.ttlMs, value === null || value === undefined),
      valueTags,
    );
    if (!ok) return this.context.evictor.putFailed(plan);
    await this.context.announce({ keys: [plan.key] });
    return true;
  }

  /**
   * `write` in one round trip where this instance knows the tags' versions: the put carries them
   * and the store refuses it when one changed; the bus message leaves with it (Redis runs one
   * connection's commands in order, so other instances hear of the put once it is done).
   * Undefined when this cannot be used or the versions changed: then `write` takes them anew. A
   * value that cannot be stored is not tried again there (it was reported once, here).
   */
  async #writeChecked(
    plan: EntryPlan,
    value: unknown,
    valueTags: readonly string[],
    tags: readonly string[],
  ): Promise<boolean | undefined> {
    const known = tags.length === 0 ? undefined : this.store.knownTagVersions(tags);
    if (!known) return undefined;
    const entry = this.codec.encode(plan, value, 0, known);
    if (!entry) return this.#notStored(plan);
    const put = {
      key: plan.key,
      payload: entry.payload,
      ttlMs: storedLifeMs(plan, entry.ttlMs, value === null || value === undefined),
      valueTags,
      tags,
      tagVersions: known,
      tagLifeMs: longestLifeMs(plan, value),
    };
    const [stored] = await Promise.all([this.store.putChecked(put), this.context.announce({ keys: [plan.key] })]);
    if (stored === undefined) return this.context.evictor.putFailed(plan);
    return stored || undefined;
  }

  // A value `write` cannot store: nor may the old one stay.
  async #notStored(plan: EntryPlan): Promise<boolean> {
    return (await this.context.evictor.evict(plan.name, [plan.key])) && false;
  }

  /** Loads without the store (it failed just now), keeping the value for the outage fallback. */
  async loadOnly(plan: EntryPlan, load: () => Promise<unknown>): Promise<LoadOutcome> {
    const epoch = this.fallback?.epoch ?? 0;
    const { value } = await this.timedLoad(plan, load);
    this.#keepForOutage(plan, value, epoch);
    return { value, storeFailed: true };
  }

  // Only loads that could not use the store are kept: a healthy store never touches the fallback.
  #keepForOutage(plan: EntryPlan, value: unknown, epoch: number): void {
    if (!this.fallback || this.context.closed()) return;
    const entry = this.codec.encode(plan, value, 0, NO_TAGS);
    if (entry) this.fallback.set(plan.key, entry.body, plan.tags, entry.ttlMs, epoch);
  }

  /** Runs the loader, revives its value, and counts and times it (errors are counted, never cached). */
  async timedLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<{ value: unknown; loadMs: number }> {
    const started = performance.now();
    let value: unknown;
    try {
      // The loading caller gets the same kind of object as every later caller.
      value = revived(plan, await load());
    } catch (error) {
      this.stats.for(plan.name).loadErrors++;
      this.context.emit({
        type: 'load-error',
        name: plan.name,
        key: plan.key,
        durationMs: performance.now() - started,
      });
      throw error; // shared by the callers of this flight, never cached
    }
    const loadMs = performance.now() - started;
    const record = this.stats.record(plan.name);
    record.counters.loads++;
    record.timings.load.observe(loadMs);
    this.context.emit({ type: 'load', name: plan.name, key: plan.key, durationMs: loadMs });
    return { value, loadMs };
  }
}
