/** A pseudo-random sequence of key indexes in [0, keys); the same seed gives every row the same traffic. */
export type KeySequence = () => number;

/** mulberry32: small, fast and good enough to pick keys; returns a uniform number in [0, 1). */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every key equally likely. */
export function uniformKeys(seed: number, keys: number): KeySequence {
  const next = uniform(seed);
  return () => Math.floor(next() * keys);
}

/**
 * Zipf-distributed keys: rank r is picked with probability proportional to 1 / r^s, so a few keys
 * take most of the traffic, as real catalogues do. Ranks are mapped to keys through a seeded
 * shuffle, so the hottest keys are not the first ones written.
 */
export function zipfKeys(seed: number, keys: number, s: number): KeySequence {
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let rank = 0; rank < keys; rank++) cumulative[rank] = total += 1 / (rank + 1) ** s;
  const keyOfRank = Array.from({ length: keys }, (_, i) => i);
  const shuffle = uniform(seed ^ 0x9e3779b9);
  for (let i = keys - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [keyOfRank[i], keyOfRank[j]] = [keyOfRank[j], keyOfRank[i]];
  }
  const next = uniform(seed);
  return () => {
    const target = next() * total;
    let low = 0;
    let high = keys - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return keyOfRank[low];
  };
}
