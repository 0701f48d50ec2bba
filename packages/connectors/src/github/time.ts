import { z } from 'zod';
import { toGithubTime } from './schemas.js';

const isoDateTime = z.iso.datetime({ offset: true });

/** `updated_at` of a list entry when it is a valid date-time; unreadable ones never move a checkpoint. */
export function updatedAtOf(entry: Record<string, unknown>): string | null {
  const value = entry.updated_at;
  return typeof value === 'string' && isoDateTime.safeParse(value).success ? value : null;
}

/** The later of two ISO date-times (either may be null), compared as instants, not as strings. */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** `time` moved back by `seconds`, in GitHub's `since` form. */
export function secondsBefore(time: string, seconds: number): string {
  return toGithubTime(Date.parse(time) - seconds * 1000);
}

/** True when `a` is a strictly later instant than `b` (null is earlier than any time). */
export function isAfter(a: string, b: string | null): boolean {
  return b === null || Date.parse(a) > Date.parse(b);
}
