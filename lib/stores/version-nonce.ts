import { randomBytes } from 'node:crypto';

// Unique across processes (random per process) and cheap per call (a counter): versions are
// compared for equality only, so they just must never repeat.
const PROCESS_ID = randomBytes(6).toString('base64url');
let counter = 0;

/** A fresh, never-repeating version string. */
export function nextVersion(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PROCESS_ID}.${counter.toString(36)}`;
}
