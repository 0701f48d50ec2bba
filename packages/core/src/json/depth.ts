/**
 * Nesting depth of parsed JSON, measured without unbounded recursion. `JSON.parse` builds values of
 * any depth without growing the stack, but nearly everything after it (`JSON.stringify`,
 * `structuredClone`, zod, canonical hashing) recurses and overflows a few thousand levels down; so
 * depth is checked by a walk that recurses at most one level past the limit (for limits up to 512),
 * or else walks an explicit stack, which cannot overflow whatever the input.
 */

/** Nesting limit of the JSON the server's API takes by default. Real payloads stay far below it. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * Nesting limit of an item the pipeline enqueues, whatever the host allows at its edge: well above
 * any API limit, well below where the stages' recursion overflows (a couple of thousand levels).
 */
export const MAX_ITEM_JSON_DEPTH = 256;

/** Where a value nests too deeply: the dot path of the first container past the limit. */
export interface JsonDepthExcess {
  /** Dot-separated keys and array indexes from the root (`attributes.x.0`); `''` for the root. */
  path: string;
  /** The limit that was passed. */
  maxDepth: number;
}

/** One container on the walk; `parent` rebuilds the path only when one is too deep. */
interface Frame {
  value: object;
  depth: number;
  key: string;
  parent: Frame | undefined;
}

/** Limits up to this are checked recursively first (far below any stack's size). */
const MAX_RECURSIVE_DEPTH = 512;

/** Whether `value`, at `depth`, holds anything nested deeper than `maxDepth`. */
function exceeds(value: object, depth: number, maxDepth: number): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === 'object' && child !== null && exceeds(child, depth + 1, maxDepth)) return true;
    }
    return false;
  }
  // Own enumerable keys, as the frames' walk visits them; `for…in` with the own-key test allocates
  // no array of keys, where `Object.keys` made one per object of every record walked.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const child: unknown = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && exceeds(child, depth + 1, maxDepth)) return true;
  }
  return false;
}

function pathOf(frame: Frame): string {
  const keys: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key);
  return keys.reverse().join('.');
}

/**
 * The first place where `value` nests more than `maxDepth` containers (objects or arrays), or null
 * when it does not. A lone scalar has depth 0, `{"a":1}` depth 1, `{"a":[1]}` depth 2. Iterative:
 * safe on any input, including cyclic objects (a cycle simply counts as too deep).
 * @example
 * findJsonDepthExcess(JSON.parse('{"a":{"b":[1]}}'), 2) // → { path: 'a.b', maxDepth: 2 }
 */
export function findJsonDepthExcess(value: unknown, maxDepth: number): JsonDepthExcess | null {
  if (typeof value !== 'object' || value === null) return null;
  // Every ingested record is checked, and nearly all are shallow: a plain recursive walk, which
  // allocates nothing, answers those; the frames below, which name the path, are built only for a
  // value found too deep. Recursion stops one level past the limit, so it is bounded by it (and
  // limits too large to recurse that far go straight to the frames).
  if (maxDepth <= MAX_RECURSIVE_DEPTH && !exceeds(value, 1, maxDepth)) return null;
  const stack: Frame[] = [{ value, depth: 1, key: '', parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) return { path: pathOf(frame), maxDepth };
    const childDepth = frame.depth + 1;
    if (Array.isArray(frame.value)) {
      const list = frame.value as unknown[];
      for (let i = list.length - 1; i >= 0; i--) {
        const child = list[i];
        if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: childDepth, key: String(i), parent: frame });
      }
    } else {
      for (const key in frame.value) {
        if (!Object.hasOwn(frame.value, key)) continue;
        const child = (frame.value as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: childDepth, key, parent: frame });
      }
    }
  }
  return null;
}

/** The message of a depth excess, for errors and field issues. */
export function jsonDepthMessage(maxDepth: number): string {
  return `nested deeper than ${maxDepth} levels`;
}
