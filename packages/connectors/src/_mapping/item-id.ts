import { canonicalJson, sha256Hex } from '@tributary/core/record';
import type { FieldSource } from './schema.js';
import { readSource } from './read.js';

/**
 * The id of an item at `source` as a string (numbers are kept digit for digit), or undefined when
 * it has none or it is not a string or number.
 */
export function itemId(item: unknown, source: FieldSource): string | undefined {
  const found = readSource(item, source);
  if (found === undefined) return undefined;
  const { value } = found;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A deterministic id from an item's content, for items that carry none: the same item gives the same id. */
export function contentId(item: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(item)).slice(0, 32)}`;
}
