import { createError } from '../errors/index.js';

/** Parses a date or date-time into canonical ISO, or throws a `validation` error naming the field. */
export function isoOrThrow(value: string, field: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw createError('reports', 'validation', `${field} is not a date`, { issues: [{ path: field, message: 'expected an ISO 8601 date or date-time' }] });
  return new Date(t).toISOString();
}

/** Rounds to a number of decimal places, so float noise does not leak into reports. */
export function round(n: number, digits: number): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}
