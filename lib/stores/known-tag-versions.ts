/**
 * The tag versions this instance last saw (on reads, snapshots, puts), so a put can send the
 * versions it expects together with its payload, in one round trip: the store checks them and
 * refuses when one changed (a tag evicted elsewhere), and the put then reads them as before. A
 * hint, never trusted: a wrong one costs a round trip, not a stale entry. Bounded, oldest first out.
 */
export class KnownTagVersions {
  readonly #versions = new Map<string, string>();

  constructor(private readonly maxTags = 10_000) {}

  /** Remembers what the store just answered for these tags (undefined: the tag has no version). */
  saw(tags: readonly string[], versions: readonly (string | undefined)[]): void {
    for (let i = 0; i < tags.length; i++) {
      const version = versions[i];
      if (version === undefined) this.#versions.delete(tags[i]!);
      else if (this.#versions.get(tags[i]!) !== version) this.#remember(tags[i]!, version);
    }
  }

  /** The last seen version of every tag, or undefined when one is unknown. */
  of(tags: readonly string[]): string[] | undefined {
    const versions = new Array<string>(tags.length);
    for (let i = 0; i < tags.length; i++) {
      const version = this.#versions.get(tags[i]!);
      if (version === undefined) return undefined;
      versions[i] = version;
    }
    return versions;
  }

  /** These tags were evicted here: their versions are gone. */
  forget(tags: readonly string[]): void {
    for (const tag of tags) this.#versions.delete(tag);
  }

  #remember(tag: string, version: string): void {
    this.#versions.delete(tag);
    this.#versions.set(tag, version);
    if (this.#versions.size > this.maxTags) this.#versions.delete(this.#versions.keys().next().value!);
  }
}
