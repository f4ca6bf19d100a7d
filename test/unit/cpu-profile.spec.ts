import { describe, expect, it } from 'vitest';
import { Attribution, CpuProfile, attribute, mergeShares } from '../../bench/support/cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// root -> handler (10 self) -> countRead (3) -> record (2); handler -> getOrLoad (5, ticks by line);
// root -> (idle) (50); root -> (garbage collector) (4).
const PROFILE: CpuProfile = {
  startTime: 0,
  endTime: 74 * 50,
  nodes: [
    { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 6, 7] },
    { id: 2, callFrame: frame('handler', 'file:///app/handler.js'), hitCount: 10, children: [3, 5] },
    { id: 3, callFrame: frame('countRead', 'file:///app/read-counting.js'), hitCount: 3, children: [4] },
    { id: 4, callFrame: frame('record', 'file:///app/cache-stats.js'), hitCount: 2 },
    {
      id: 5,
      callFrame: frame('getOrLoad', 'file:///app/read-through.js', 40),
      hitCount: 5,
      positionTicks: [
        { line: 52, ticks: 2 },
        { line: 190, ticks: 3 },
      ],
    },
    { id: 6, callFrame: frame('(idle)'), hitCount: 50 },
    { id: 7, callFrame: frame('(garbage collector)'), hitCount: 4 },
  ],
};

const RULES: Attribution = {
  frame: (f) => (f.url.endsWith('read-counting.js') ? 'counters' : undefined),
  lines: (f) => (f.url.endsWith('read-through.js') ? new Map([[52, 'timing']]) : undefined),
  // cache-stats.js is under a labelled frame here, so only handler.js's own samples are reference.
  reference: (f) => f.url.endsWith('handler.js') || f.url.endsWith('cache-stats.js'),
};

describe('CPU profile attribution (bench support)', () => {
  it('counts a labelled frame with everything it calls, single lines by their ticks, and idle apart', () => {
    const shares = attribute(PROFILE, RULES);
    expect(shares.samples).toBe(74);
    expect(shares.idle).toBe(50);
    expect(shares.busy).toBe(24);
    expect(shares.intervalUs).toBe(50);
    expect(shares.reference).toBe(10);
    expect(Object.fromEntries(shares.byLabel)).toEqual({ counters: 5, timing: 2 });
    expect(Object.fromEntries(shares.byPlace)).toEqual({
      'counters: countRead (read-counting.js)': 3,
      'counters: record (cache-stats.js)': 2,
      'timing: read-through.js:52': 2,
    });
  });

  it('merges two profiles of the same code into one count', () => {
    const one = attribute(PROFILE, RULES);
    const both = mergeShares(mergeShares(undefined, one), attribute(PROFILE, RULES));
    expect(both.busy).toBe(48);
    expect(both.idle).toBe(100);
    expect(both.reference).toBe(20);
    expect(both.byLabel.get('counters')).toBe(10);
    expect(both.byPlace.get('timing: read-through.js:52')).toBe(4);
    expect(one.byLabel.get('counters')).toBe(5);
  });
});
