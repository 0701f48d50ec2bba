import { readPath, isPresent, toIsoTime } from '../_mapping/index.js';
import type { HttpConfig } from './schemas.js';

/** A checkpoint value as the API gave it. */
export type Watermark = string | number;

/**
 * The later of two watermarks: numbers by value, strings that are both times by time, anything else
 * by text. Null is earlier than everything.
 */
export function laterOf(a: Watermark | null, b: Watermark | null): Watermark | null {
  if (a === null) return b;
  if (b === null) return a;
  return compare(a, b) >= 0 ? a : b;
}

function compare(a: Watermark, b: Watermark): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = toIsoTime(a);
    const tb = toIsoTime(b);
    if (ta !== undefined && tb !== undefined) return Date.parse(ta) - Date.parse(tb);
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The largest `checkpointPath` value among `items`, or `current` when none is later. */
export function walkWatermark(items: readonly unknown[], path: string | undefined, current: Watermark | null): Watermark | null {
  if (path === undefined) return current;
  let best = current;
  for (const item of items) {
    const value = readPath(item, path);
    if (isPresent(value) && (typeof value === 'string' || typeof value === 'number')) best = laterOf(best, value);
  }
  return best;
}

/**
 * `{{checkpoint}}` and `{{since}}` for a walk starting from `watermark`: the watermark as given and
 * as a time (minus the lookback, in `sinceFormat`); on a first run, the configured `since`.
 */
export function templateValues(config: Pick<HttpConfig, 'since' | 'sinceFormat' | 'lookbackSeconds'>, watermark: Watermark | null): { checkpoint: string; since: string } {
  if (watermark === null) return { checkpoint: config.since ?? '', since: config.since ? formatSince(toIsoTime(config.since)!, config.sinceFormat) : '' };
  const iso = toIsoTime(watermark);
  // A watermark that is no time (an increasing id) still fills {{checkpoint}}; {{since}} stays empty.
  const since = iso === undefined ? '' : formatSince(new Date(Date.parse(iso) - config.lookbackSeconds * 1000).toISOString(), config.sinceFormat);
  return { checkpoint: String(watermark), since };
}

function formatSince(iso: string, format: HttpConfig['sinceFormat']): string {
  const ms = Date.parse(iso);
  if (format === 'unix') return String(Math.floor(ms / 1000));
  if (format === 'unix-ms') return String(ms);
  if (format === 'date') return iso.slice(0, 10);
  return iso;
}
