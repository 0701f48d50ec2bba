import { z } from 'zod';

/**
 * A dot path into a JSON value: `data.attributes.body`, `items.0.id` (or `items[0].id`), `labels.*.name`
 * (every element's). The empty string (or `$`) is the value itself.
 */
export const DotPathSchema = z
  .string()
  .trim()
  .max(500)
  .refine((path) => path === '' || path === '$' || splitPath(path).every((part) => part.length > 0), {
    message: 'must be a dot path such as "data.attributes.body" (no empty segments)',
  });

/** `a.b[0].c` → `['a', 'b', '0', 'c']`; `''` and `$` → `[]`. */
export function splitPath(path: string): string[] {
  if (path === '' || path === '$') return [];
  return path.replace(/\[(\d+)\]/g, '.$1').replace(/^\$\./, '').split('.');
}

/**
 * The value at `path` in `root`, or undefined when any step is missing. A `*` step maps the rest of
 * the path over an array (`labels.*.name` → every label's name). A key that itself contains dots (a
 * CSV column named `user.name`) is found too: the whole path is tried as one key first.
 */
export function readPath(root: unknown, path: string): unknown {
  if (path === '' || path === '$') return root;
  if (isObject(root) && !Array.isArray(root) && Object.hasOwn(root, path)) return root[path];
  return walk(root, splitPath(path), 0);
}

function walk(root: unknown, parts: string[], from: number): unknown {
  let current = root;
  for (let i = from; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '*') {
      if (!Array.isArray(current)) return undefined;
      return current.map((element) => walk(element, parts, i + 1)).filter((v) => v !== undefined && v !== null);
    }
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(part)) return undefined;
      current = current[Number(part)];
    } else if (isObject(current)) {
      // Own properties only: a path must never reach `__proto__` or `constructor`.
      current = Object.hasOwn(current, part) ? current[part] : undefined;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** A present value: not undefined, null or an empty (whitespace-only) string. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
