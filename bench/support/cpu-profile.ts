import { Session } from 'node:inspector/promises';

/** A function as the V8 CPU profile names it (`lineNumber` 0-based). */
export interface ProfileFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: ProfileFrame;
  hitCount?: number;
  children?: number[];
  /** Self samples by source line (1-based), summing to `hitCount`. */
  positionTicks?: { line: number; ticks: number }[];
}

/** What `Profiler.stop` returns: a call tree whose nodes count the samples that ended in them. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/**
 * Samples the main thread every `intervalUs` while `run` runs, in this process (node:inspector),
 * so no child process, flags or files are needed.
 */
export async function profileWhile<T>(
  intervalUs: number,
  run: () => Promise<T>,
): Promise<{ profile: CpuProfile; result: T }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    let profile: CpuProfile | undefined;
    let result: T;
    try {
      result = await run();
    } finally {
      profile = ((await session.post('Profiler.stop')) as { profile: CpuProfile }).profile;
    }
    await session.post('Profiler.disable');
    return { profile, result };
  } finally {
    session.disconnect();
  }
}

/**
 * How to find the code under study in a profile. `frame` labels a function whose samples count with
 * everything it calls (inclusive); `lines` labels single lines of a function that is not under study
 * as a whole (its self samples on those lines only, 1-based line numbers). `reference` picks code
 * whose cost per operation the change under study cannot move (its self samples, when unlabelled):
 * its share of two profiles gives their ratio of cost per operation, whatever V8 inlined where.
 */
export interface Attribution {
  frame(frame: ProfileFrame, caller: ProfileFrame | undefined): string | undefined;
  lines(frame: ProfileFrame): ReadonlyMap<number, string> | undefined;
  reference?(frame: ProfileFrame): boolean;
}

/** Samples of one profile: where the thread was busy, and how many of those landed in each label. */
export interface Shares {
  samples: number;
  /** Samples with the thread idle (waiting in the event loop), not in `busy`. */
  idle: number;
  /** Samples with the thread running: JavaScript, the garbage collector, native code. */
  busy: number;
  /** Busy samples in the reference code (`Attribution.reference`). */
  reference: number;
  /** Mean time between two samples, µs. */
  intervalUs: number;
  byLabel: Map<string, number>;
  /** The same samples by label and place: `label: function (file)`, or `label: file:line` for lines. */
  byPlace: Map<string, number>;
}

/** Counts every busy sample once: under the outermost labelled frame on its stack, else by line. */
export function attribute(profile: CpuProfile, rules: Attribution): Shares {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const shares: Shares = {
    samples: 0,
    idle: 0,
    busy: 0,
    reference: 0,
    intervalUs: 0,
    byLabel: new Map(),
    byPlace: new Map(),
  };
  const add = (label: string, place: string, count: number) => {
    shares.byLabel.set(label, (shares.byLabel.get(label) ?? 0) + count);
    const key = `${label}: ${place}`;
    shares.byPlace.set(key, (shares.byPlace.get(key) ?? 0) + count);
  };
  const file = (frame: ProfileFrame) => frame.url.slice(frame.url.lastIndexOf('/') + 1) || frame.url;
  // The tree is deep but not cyclic; an explicit stack keeps recursion limits out of it.
  const pending: { node: ProfileNode; caller?: ProfileFrame; label?: string }[] = [{ node: profile.nodes[0] }];
  while (pending.length > 0) {
    const { node, caller, label: inherited } = pending.pop()!;
    const frame = node.callFrame;
    const label = inherited ?? rules.frame(frame, caller);
    const self = node.hitCount ?? 0;
    shares.samples += self;
    if (frame.functionName === '(idle)') shares.idle += self;
    else {
      shares.busy += self;
      if (label !== undefined) add(label, `${frame.functionName || '(anonymous)'} (${file(frame)})`, self);
      else {
        if (rules.reference?.(frame)) shares.reference += self;
        const lines = rules.lines(frame);
        if (lines)
          for (const { line, ticks } of node.positionTicks ?? []) {
            const lineLabel = lines.get(line);
            if (lineLabel !== undefined) add(lineLabel, `${file(frame)}:${line}`, ticks);
          }
      }
    }
    for (const child of node.children ?? []) pending.push({ node: byId.get(child)!, caller: frame, label });
  }
  shares.intervalUs = shares.samples === 0 ? 0 : (profile.endTime - profile.startTime) / shares.samples;
  return shares;
}

/** The samples of two profiles of the same code as one (`first` may be missing). */
export function mergeShares(first: Shares | undefined, second: Shares): Shares {
  if (!first) return second;
  const sum = (x: Map<string, number>, y: Map<string, number>) => {
    const out = new Map(x);
    for (const [key, count] of y) out.set(key, (out.get(key) ?? 0) + count);
    return out;
  };
  const samples = first.samples + second.samples;
  return {
    samples,
    idle: first.idle + second.idle,
    busy: first.busy + second.busy,
    reference: first.reference + second.reference,
    intervalUs: samples === 0 ? 0 : (first.intervalUs * first.samples + second.intervalUs * second.samples) / samples,
    byLabel: sum(first.byLabel, second.byLabel),
    byPlace: sum(first.byPlace, second.byPlace),
  };
}
