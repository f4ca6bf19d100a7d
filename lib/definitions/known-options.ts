import { messages } from '../errors/messages.js';

/** The error class an option check throws (each caller keeps its own error code). */
export type OptionErrorClass = new (message: string) => Error;

/**
 * The option names of an options interface, checked by the compiler to be complete and exact,
 * so the runtime list cannot drift from the type.
 * @example const KNOWN = optionNames<CacheEvictOptions<any[]>>({ tags: true, allEntries: true, ... });
 */
export function optionNames<T>(names: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(names);
}

/**
 * Throws when `options` has a key outside `known`: a misspelt option would otherwise fall back to
 * its default without a word. `path` prefixes nested options (`'swr.'`). The error names `where`,
 * the key, the closest known one when it is close, and every known one.
 * @example rejectUnknownOptions(options, KNOWN, "defineCache('product')", CacheDefinitionError)
 */
export function rejectUnknownOptions(
  options: object,
  known: readonly string[],
  where: string,
  ErrorClass: OptionErrorClass,
  path = '',
  allowed: readonly string[] = [],
): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name) || allowed.includes(name)) continue;
    const suggestion = closestName(name, known);
    throw new ErrorClass(
      messages.unknownOption(
        where,
        path + name,
        known.map((option) => path + option),
        suggestion === undefined ? undefined : path + suggestion,
      ),
    );
  }
}

/**
 * Checks a nested option (`swr`, `singleFlight`, ...) is a plain object with known keys only;
 * `option` is its dotted name, which prefixes the nested names in errors.
 * @example rejectUnknownNested(options.swr, SWR_KNOWN, "defineCache('product')", 'swr', CacheDefinitionError)
 */
export function rejectUnknownNested(
  value: unknown,
  known: readonly string[],
  where: string,
  option: string,
  ErrorClass: OptionErrorClass,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ErrorClass(messages.notAnObject(`${where}: option '${option}'`, known, value));
  }
  rejectUnknownOptions(value, known, where, ErrorClass, `${option}.`);
}

/**
 * The known name closest to a misspelt one (letter case ignored), or undefined when none is close
 * enough to be a likely typo. @example closestName('tll', ['ttl', 'tags']) === 'ttl'
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  // One edit in a short name, up to three in a long one: close enough to be a typo, far enough
  // that an unrelated option ('graceful') gets no misleading suggestion.
  const limit = name.length <= 4 ? 1 : name.length <= 7 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`: 'tll' -> 'ttl' is one. */
export function editDistance(a: string, b: string): number {
  // Optimal string alignment: Levenshtein plus adjacent transpositions, the commonest typo.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = distance;
    }
  }
  return rows[a.length]![b.length]!;
}
