import { ARRAY, EMPTY, Frame, OBJECT, PATH_HEAD, openFrame, path, refusedAt } from './value-frames.js';

/** How far one look at a value may go. */
export interface InspectionLimits {
  /** Stop once the value is known to take more than this many bytes in the structured-clone format. */
  maxBytes: number;
  /** Containers nested deeper than this are refused (the format's reader runs out of stack first). */
  maxDepth: number;
  /** Give up after visiting this many values. */
  maxNodes: number;
}

/**
 * What one bounded look at a value found: `fits` (walked completely: at least `bytes`, nothing
 * refused; `json` when JSON gives it back exactly), `unknown` (gave up, out of budget),
 * `too-large` (at least `bytes` > maxBytes) or `unserializable` (what, and a shortened path to it).
 */
export type Inspection =
  | { kind: 'fits'; bytes: number; json: boolean }
  | { kind: 'unknown' }
  | { kind: 'too-large'; bytes: number }
  | { kind: 'unserializable'; path: string; what: string };

/** The reader of v8's format recurses per level and fails near 1900 levels; stay well below. */
export const MAX_NESTING = 1_000;

const DEPTH_PROBE_STEPS = 100_000;
const UNKNOWN: Inspection = { kind: 'unknown' };

/**
 * Walks a value depth-first without recursion, counting a lower bound of its structured-clone size
 * (every string's length, every buffer's bytes, one or two bytes per other value) and stopping at
 * the first part the format refuses, at `maxBytes`, at `maxDepth` or after `maxNodes` values.
 * Each object is visited once (the format writes repeats as back-references).
 */
export function inspectValue(root: unknown, limits: InspectionLimits): Inspection {
  return new Walk(limits).run(root);
}

const CONTINUE = 0;
const DESCEND = 1;
const STOP = 2;

// One class with fixed fields and one loop per container kind, so the hot loops stay monomorphic.
class Walk {
  readonly #seen = new Set<object>();
  readonly #frames: Frame[] = [];
  #depth = 0;
  #bytes = 0;
  #nodes = 0;
  // Cleared by the first part JSON would not give back as it was (see default.serializer.ts).
  #json = true;
  #result: Inspection = UNKNOWN;

  constructor(private readonly limits: InspectionLimits) {}

  run(root: unknown): Inspection {
    if (this.#visit(root) === STOP) return this.#result;
    while (this.#depth > 0) {
      const frame = this.#frames[this.#depth - 1];
      const step =
        frame.kind === ARRAY ? this.#array(frame) : frame.kind === OBJECT ? this.#object(frame) : this.#items(frame);
      if (step === STOP) return this.#result;
      if (step === CONTINUE) {
        frame.container = frame.items = EMPTY; // done with it: let what was walked be collected
        this.#depth--;
      }
    }
    return { kind: 'fits', bytes: this.#bytes, json: this.#json };
  }

  #array(frame: Frame): number {
    const array = frame.container as unknown[];
    while (frame.next < frame.size) {
      const i = frame.next++;
      const child = array[i];
      if (child === undefined && !(i in array)) {
        // A hole: no bytes, but it costs a step (JSON would fill it with null).
        this.#json = false;
        if (++this.#nodes > this.limits.maxNodes) return this.#stop(UNKNOWN);
        continue;
      }
      const step = this.#visit(child);
      if (step !== CONTINUE) return step;
    }
    return CONTINUE;
  }

  #object(frame: Frame): number {
    const object = frame.container as Record<string, unknown>;
    const keys = frame.items as string[];
    while (frame.next < frame.size) {
      const key = keys[frame.next++];
      // Index-like keys are written as numbers, other keys as strings.
      this.#bytes += key.charCodeAt(0) <= 0x39 ? 2 : 2 + key.length;
      const step = this.#visit(object[key]);
      if (step !== CONTINUE) return step;
    }
    return CONTINUE;
  }

  #items(frame: Frame): number {
    const items = frame.items;
    while (frame.next < frame.size) {
      const step = this.#visit(items[frame.next++]);
      if (step !== CONTINUE) return step;
    }
    return CONTINUE;
  }

  #visit(value: unknown): number {
    if (++this.#nodes > this.limits.maxNodes) return this.#stop(UNKNOWN);
    switch (typeof value) {
      case 'string':
        this.#bytes += 2 + value.length;
        break;
      case 'number':
        if (this.#json && (!Number.isFinite(value) || Object.is(value, -0))) this.#json = false;
        this.#bytes += 2;
        break;
      case 'bigint':
        this.#json = false;
        this.#bytes += 2;
        break;
      case 'boolean':
        this.#bytes += 1;
        break;
      case 'undefined':
        this.#json = false;
        this.#bytes += 1;
        break;
      case 'function':
        return this.#stop(refusedAt(this.#frames, this.#depth, 'a function'));
      case 'symbol':
        return this.#stop(refusedAt(this.#frames, this.#depth, 'a symbol'));
      default:
        if (value === null) this.#bytes += 1;
        else if (this.#seen.has(value as object)) {
          this.#json = false; // v8 keeps one object reached twice as one; JSON writes two copies
          this.#bytes += 2;
        } else return this.#enter(value as object);
    }
    return this.#bytes > this.limits.maxBytes ? this.#stop({ kind: 'too-large', bytes: this.#bytes }) : CONTINUE;
  }

  #enter(object: object): number {
    this.#seen.add(object);
    const leaf = leafBytes(object);
    if (typeof leaf === 'string') return this.#stop(refusedAt(this.#frames, this.#depth, leaf));
    this.#bytes += leaf >= 0 ? leaf : 3;
    if (this.#json && (leaf >= 0 || !isJsonContainer(object))) this.#json = false;
    if (this.#bytes > this.limits.maxBytes) return this.#stop({ kind: 'too-large', bytes: this.#bytes });
    if (leaf >= 0) return CONTINUE;
    if (this.#depth >= this.limits.maxDepth) return this.#stop(tooDeep(this.#frames, this.#depth, object, this.#seen));
    const frame =
      this.#frames[this.#depth] ??
      (this.#frames[this.#depth] = { kind: ARRAY, container: object, items: EMPTY, size: 0, next: 0 });
    openFrame(frame, object);
    this.#depth++;
    return DESCEND;
  }

  #stop(result: Inspection): number {
    this.#result = result;
    return STOP;
  }
}

function tooDeep(frames: Frame[], depth: number, object: object, seen: Set<object>): Inspection {
  const below = levelsBelow(object, seen);
  const levels = below.complete ? `${depth + 1 + below.levels}` : `more than ${depth + 1 + below.levels}`;
  return {
    kind: 'unserializable',
    path: `${path(frames, 0, Math.min(depth, PATH_HEAD))}…(${levels} levels)`,
    what: `nesting deeper than ${depth} levels`,
  };
}

/**
 * A plain object or a plain dense array: what JSON writes as v8 does. A class instance may have a
 * toJSON, Maps and Sets become `{}`, an array's extra properties are dropped.
 */
function isJsonContainer(object: object): boolean {
  const proto = Object.getPrototypeOf(object) as unknown;
  if (Array.isArray(object)) return proto === Array.prototype && Object.keys(object).length === object.length;
  return proto === Object.prototype || proto === null;
}

/** Bytes of a value written without children, -1 for a container, or what the format refuses. */
function leafBytes(object: object): number | string {
  if (ArrayBuffer.isView(object)) return 3 + object.byteLength;
  if (object instanceof ArrayBuffer) return 2 + object.byteLength;
  if (object instanceof Date) return 9;
  if (object instanceof String) return 2 + object.length;
  if (object instanceof Number || object instanceof Boolean || object instanceof BigInt) return 2;
  if (object instanceof RegExp) return 3 + object.source.length;
  if (object instanceof Error) return 3; // written as name, message and stack, not as its own keys
  if (object instanceof Promise) return 'a Promise';
  if (object instanceof WeakMap || object instanceof WeakSet || object instanceof WeakRef)
    return `a ${object.constructor.name}`;
  return -1;
}

/**
 * Follows the first unvisited container child down, to say how deep a too-deep value goes. Cheap
 * on chains (one step per level); bounded by its own budget, as the walk's may be nearly spent.
 */
function levelsBelow(object: object, seen: Set<object>): { levels: number; complete: boolean } {
  let budget = DEPTH_PROBE_STEPS;
  let levels = 0;
  let node: object | undefined = object;
  while (node) {
    const children: Iterable<unknown> =
      node instanceof Map ? node.values() : node instanceof Set || Array.isArray(node) ? node : Object.values(node);
    let deeper: object | undefined;
    for (const child of children) {
      if (--budget < 0) return { levels, complete: false };
      if (typeof child === 'object' && child !== null && !seen.has(child) && leafBytes(child) === -1) {
        deeper = child;
        break;
      }
    }
    if (!deeper) break;
    seen.add(deeper);
    levels++;
    node = deeper;
  }
  return { levels, complete: true };
}
