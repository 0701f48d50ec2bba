import type { FieldSource } from './schema.js';
import { isPresent, readPath } from './path.js';

/** What a {@link FieldSource} found: the value and the path it came from (for error messages). */
export interface Found {
  value: unknown;
  /** The path that held the value, or `const`. */
  from: string;
}

/** Reads a field source: the first of its paths holding a present value, or its constant. */
export function readSource(root: unknown, source: FieldSource | undefined): Found | undefined {
  if (source === undefined) return undefined;
  if (typeof source === 'object' && !Array.isArray(source)) return { value: source.const, from: 'const' };
  for (const path of typeof source === 'string' ? [source] : source) {
    const value = readPath(root, path);
    if (isPresent(value)) return { value, from: path };
  }
  return undefined;
}

/** How a field source is written, for messages: `"a"` or `"a" | "b"`. */
export function describeSource(source: FieldSource): string {
  if (typeof source === 'object' && !Array.isArray(source)) return 'a constant';
  return (typeof source === 'string' ? [source] : source).map((p) => JSON.stringify(p)).join(' | ');
}
