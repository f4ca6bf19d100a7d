/**
 * Where entries live, with the fencing that keeps invalidation race-free:
 * - every entry has a *version* (an opaque nonce) that changes on every invalidation or put;
 * - every tag has a version that changes when the tag is invalidated;
 * - a fill is a compare-and-set against the entry version taken when its load began, and the entry
 *   records the tag versions seen then, so a load that began before an invalidation of its key or
 *   of one of its tags never becomes visible.
 * Versions are never reused (a missing version is created fresh), so a store that restarts empty,
 * or loses a tag version to memory pressure, fails closed: an old snapshot never matches again.
 * Implementations may throw or hang: the engine bounds every call and fails open.
 */
export interface EntryStore {
  /** 'memory' or 'redis'; shown in logs. */
  readonly kind: string;
  /** The entry (if any) and the current versions of `tags`, in one round trip. */
  read(key: string, tags: readonly string[]): Promise<StoredRead>;
  /** Many entries and their tags' versions, in one round trip (per node); without it, one `read` each. */
  readMany?(reads: readonly { key: string; tags: readonly string[] }[]): Promise<StoredRead[]>;
  /**
   * Snapshot taken before a load: the entry's and the tags' versions, created where missing (or
   * not ours). A tag version is kept alive at least `tagLifeMs`, the longest life of the entry.
   */
  begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket>;
  /** The tags' versions alone, as `begin` takes them: what a put records (it replaces the entry's version itself). */
  tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[]>;
  /**
   * The versions of tags known only once a load ended (taken from its value), as `tagVersions`
   * takes them, or undefined when one of them was evicted since `ticket` was taken by `begin`:
   * the load may have read data that eviction invalidated, so it must not be stored. Optional:
   * without it, values that add tags are not stored (nothing could fence them).
   */
  valueTagVersions?(tags: readonly string[], tagLifeMs: number, ticket: FillTicket): Promise<string[] | undefined>;
  /**
   * Stores the payload only if the entry's version is still `ticket.version`, or if the entry
   * expired while the load held its lease `ticket.lease` (taken before `begin`); true when stored.
   * Gives back that lease, if still held, either way. The entry records `ticket.valueTags` (none
   * when absent), whose versions a read returns after its own.
   */
  fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number): Promise<boolean>;
  /** Stores the payload unconditionally and fences fills that began earlier (@CachePut, CacheKit.set). */
  put(key: string, payload: Uint8Array, ttlMs: number, valueTags?: readonly string[]): Promise<void>;
  /**
   * Optional, with `putChecked`: the versions of `tags` this instance last saw, or undefined when
   * one is unknown or the store cannot check them together (a Cluster: tags in other slots). A
   * hint for `putChecked`, never trusted.
   */
  knownTagVersions?(tags: readonly string[]): string[] | undefined;
  /**
   * Optional: `put`, only if every tag still has the version in `tagVersions` (extending its life
   * to `tagLifeMs` as `tagVersions` would), in one round trip; false, storing nothing, when one
   * differs.
   */
  putChecked?(put: CheckedPut): Promise<boolean>;
  /** Deletes entries and their leases, so fills that began earlier never store. */
  invalidate(keys: readonly string[]): Promise<void>;
  /**
   * Invalidates every entry carrying any of the tags (a cache name's generation is one): O(1) per
   * tag, whatever carries it.
   */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** Takes the entry's load lease for `ttlMs` if nobody holds it; true when `token` now holds it. */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  /**
   * Optional: `acquireLease` and, when the lease is taken, `begin`, in one round trip; the ticket
   * carries the lease. False when another load holds the lease (a networked store then announces
   * the fill to waiters). Without it, the engine sends the two calls one after the other.
   */
  leaseAndBegin?(
    key: string,
    token: string,
    ttlMs: number,
    tags: readonly string[],
    tagLifeMs: number,
  ): Promise<FillTicket | false>;
  /** A harmless write, to learn whether the store takes writes again after refusing them. */
  probe(): Promise<void>;
  /**
   * Optional: runs `send`, and the commands the calls it makes send leave together (one socket
   * write): for calls that queued for their turn, started together. Without it they leave as sent.
   */
  corked?(send: () => void): void;
  /** Releases the lease if `token` holds it; with `holdMs`, keeps it that long instead (refresh backoff). */
  releaseLease(key: string, token: string, holdMs?: number): Promise<void>;
}

/** A put that carries the tag versions its payload records (see `EntryStore.putChecked`). */
export interface CheckedPut {
  key: string;
  payload: Uint8Array;
  ttlMs: number;
  /** Store keys of the tags the value added (hash field `t`). */
  valueTags?: readonly string[];
  /** Every tag of the entry, plan's and value's, with the versions the payload records. */
  tags: readonly string[];
  tagVersions: readonly string[];
  /** How long the tags must live at least (the longest life of the entry). */
  tagLifeMs: number;
}

export interface StoredRead {
  payload?: Uint8Array;
  /**
   * Current version of each requested tag, in order, then of each of the entry's `valueTags`;
   * undefined when the tag has none.
   */
  tagVersions: (string | undefined)[];
  /** Store keys of the tags the entry's value added (recorded by its fill or put); absent when none. */
  valueTags?: readonly string[];
}

export interface FillTicket {
  version: string;
  tagVersions: string[];
  /** When `begin` took the snapshot, on the store's clock (ms): evictions after it fence value tags. */
  startedAt?: number;
  /** Store keys of the tags the value adds, whose versions follow the plan's in `tagVersions`. */
  valueTags?: readonly string[];
  /**
   * The token of the entry's lease the load holds: its fill may store even if the entry expired
   * meanwhile (an eviction takes the lease too), and gives the lease back, stored or not.
   */
  lease?: string;
}
