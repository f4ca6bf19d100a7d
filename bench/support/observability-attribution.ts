import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Attribution, ProfileFrame } from './cpu-profile.js';

const TIMING_LINE = /performance\.now|timings|histogram|const timed|started !== undefined/;
const METHOD_START = /^\s{4}(?:async\s+)?(?:#?\w+|constructor)\(.*\{\s*$/;
const REFERENCE = /\/lib\/(engine\/entry|keys|definitions)\/|\/node_modules\/lru-cache\//;
const timingLines = new Map<string, ReadonlyMap<number, string>>();

/**
 * The timing lines of the function of the compiled read-through.js that starts at `frame` (1-based,
 * as positionTicks count them). Lines outside it are left out: V8 books some samples of code inlined
 * from other files on the caller's node, numbered as lines of the caller's file.
 */
function readThroughLines(frame: ProfileFrame): ReadonlyMap<number, string> {
  const id = `${frame.url}:${frame.lineNumber}`;
  let lines = timingLines.get(id);
  if (!lines) {
    const text = readFileSync(fileURLToPath(frame.url), 'utf8').split('\n');
    const found = new Map<number, string>();
    for (let i = frame.lineNumber; i < text.length && (i === frame.lineNumber || !METHOD_START.test(text[i]!)); i++) {
      if (TIMING_LINE.test(text[i]!) && !/^\s*(\*|\/\/)/.test(text[i]!)) found.set(i + 1, 'histograms');
    }
    timingLines.set(id, (lines = found));
  }
  return lines;
}

/** What is observability on the hit path: the counters (always on) and the latency histograms. */
export const OBSERVABILITY: Attribution = {
  frame(frame: ProfileFrame, caller: ProfileFrame | undefined) {
    if (frame.url.endsWith('/lib/engine/read-counting.js')) return 'counters';
    if (frame.url.endsWith('/lib/observability/cache-stats.js'))
      return frame.functionName === 'timings' ? 'histograms' : 'counters';
    if (frame.url.includes('/lib/observability/')) return 'histograms';
    const clock = frame.functionName === 'now' && frame.url.startsWith('node:internal/perf');
    if (clock && caller?.url.endsWith('/lib/engine/loading/read-through.js')) return 'clock';
    return undefined;
  },
  lines: (frame) => (frame.url.endsWith('/lib/engine/loading/read-through.js') ? readThroughLines(frame) : undefined),
  // Building the key and plan, decoding the entry, and the L1's LRU: every hit runs them once, the
  // same work with timing on or off, and no timing code is inlined into them (they never call it).
  // Not the Redis client: with 64 in flight it parses more replies per read when Node is slower.
  reference: (frame) => REFERENCE.test(frame.url),
};
