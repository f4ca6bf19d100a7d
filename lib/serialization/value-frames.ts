// Where a walk of a value is: one frame per open container, and the path that leads to its child.

export const ARRAY = 0;
export const OBJECT = 1;
export const MAP = 2; // items: keys and values, flattened
export const SET = 3;
/** Steps of a long path shown before the ellipsis. */
export const PATH_HEAD = 4;
const PATH_TAIL = 2;
const KEY_CHARS = 40;

/** One open container of a walk. */
export interface Frame {
  kind: number;
  container: object;
  /** Object keys, or Map/Set items. */
  items: unknown[];
  size: number;
  /** Index of the next child to visit. */
  next: number;
}

/** Items of containers that have none (arrays are read in place) or are done. */
export const EMPTY: unknown[] = [];

/** Makes a (reused) frame the one for this container, at its first child. */
export function openFrame(frame: Frame, object: object): void {
  frame.container = object;
  frame.next = 0;
  if (Array.isArray(object)) {
    frame.kind = ARRAY;
    frame.items = EMPTY;
    frame.size = object.length;
  } else if (object instanceof Map) {
    frame.kind = MAP;
    const items: unknown[] = [];
    for (const [key, item] of object) items.push(key, item);
    frame.items = items;
    frame.size = items.length;
  } else if (object instanceof Set) {
    frame.kind = SET;
    frame.items = [...object];
    frame.size = frame.items.length;
  } else {
    frame.kind = OBJECT;
    frame.items = Object.keys(object);
    frame.size = frame.items.length;
  }
}

/** What the format refuses, at the child being visited, with a path shortened past six steps. */
export function refusedAt(
  frames: Frame[],
  depth: number,
  what: string,
): { kind: 'unserializable'; path: string; what: string } {
  if (depth <= PATH_HEAD + PATH_TAIL) return { kind: 'unserializable', path: path(frames, 0, depth), what };
  const shortened = `${path(frames, 0, PATH_HEAD)}…${path(frames, depth - PATH_TAIL, depth).slice('result'.length)}`;
  return { kind: 'unserializable', path: `${shortened} (${depth} levels)`, what };
}

/** 'result' and the steps through frames [from, to). */
export function path(frames: Frame[], from: number, to: number): string {
  let text = 'result';
  for (let level = from; level < to; level++) text += segment(frames[level]);
  return text;
}

/** The path step to the child of this frame being visited. */
function segment(frame: Frame): string {
  const i = frame.next - 1;
  switch (frame.kind) {
    case ARRAY:
      return `[${i}]`;
    case OBJECT:
      return `.${short(frame.items[i] as string)}`;
    case MAP:
      return i % 2 === 0 ? `<key ${i / 2}>` : `.get(${short(String(frame.items[i - 1]))})`;
    default:
      return `<item ${i}>`;
  }
}

function short(text: string): string {
  return text.length > KEY_CHARS ? `${text.slice(0, KEY_CHARS)}…` : text;
}
