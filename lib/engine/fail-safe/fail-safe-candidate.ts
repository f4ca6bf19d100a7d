/** The last good value of an entry past its logical expiry, read before a load, kept for that load's callers. */
export interface FailSafeCandidate {
  value: unknown;
  /** Its serialized body: every caller but the first decodes its own copy. */
  body: Uint8Array;
  /** Epoch ms when it was loaded: `failSafe.maxAge` counts from there. */
  createdAt: number;
}

/** True when the loader's error may be answered with the last good value (`failSafe.when`; it may throw: then not). */
export function qualifies(when: ((error: unknown) => boolean) | undefined, error: unknown): boolean {
  if (!when) return true;
  try {
    return when(error) === true;
  } catch {
    return false;
  }
}
