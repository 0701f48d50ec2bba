import { createError } from '../errors/index.js';

/** A parsed five-field cron expression, evaluated in UTC. */
export interface CronExpression {
  /** The expression as given. */
  readonly source: string;
  /** The first fire time strictly after `after` (epoch ms, whole minutes), or null if it never fires again. */
  next(after: number | Date): number | null;
  /** Whether the expression fires in the minute holding `at`. */
  matches(at: number | Date): boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  // 7 is Sunday as well, as in most crons.
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MINUTE = 60_000;
/** How far ahead `next` searches; enough for any expression that can fire (Feb 29 on a weekday is < 30 years away). */
const SEARCH_YEARS = 30;

/**
 * Parses a five-field cron expression — minute, hour, day of month, month, day of week — in UTC.
 * Each field takes `*`, numbers, lists (`1,15`), ranges (`1-5`), steps (`*\/15`, `0-30/10`, `5/20`),
 * and month and weekday names (`jan`, `mon-fri`); the macros `@hourly`, `@daily`, `@weekly`,
 * `@monthly` and `@yearly` are accepted too. As in Vixie cron, when both day fields are restricted a
 * day matches either of them; when one is `*` (or starts with it), only the other applies.
 *
 * @throws `validation` with the offending field named
 * @example
 * ```ts
 * parseCron('*\/15 9-17 * * mon-fri').next(Date.UTC(2026, 0, 1)); // 2026-01-01T09:00:00Z (a Thursday)
 * ```
 */
export function parseCron(expression: string): CronExpression {
  const source = expression;
  const expanded = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = expanded.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) throw invalid(source, `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [minutes, hours, days, months, weekdays] = parts.map((part, i) => parseField(part, FIELDS[i]!, source)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (weekdays.has(7)) weekdays.add(0);
  const dayRestricted = !parts[2]!.startsWith('*');
  const weekdayRestricted = !parts[4]!.startsWith('*');

  const dayMatches = (d: Date): boolean => {
    const byDay = days.has(d.getUTCDate());
    const byWeekday = weekdays.has(d.getUTCDay());
    if (dayRestricted && weekdayRestricted) return byDay || byWeekday;
    return byDay && byWeekday;
  };

  const matches = (at: number | Date): boolean => {
    const d = new Date(typeof at === 'number' ? at : at.getTime());
    return months.has(d.getUTCMonth() + 1) && dayMatches(d) && hours.has(d.getUTCHours()) && minutes.has(d.getUTCMinutes());
  };

  const next = (after: number | Date): number | null => {
    const from = typeof after === 'number' ? after : after.getTime();
    let t = Math.floor(from / MINUTE) * MINUTE + MINUTE;
    const lastYear = new Date(t).getUTCFullYear() + SEARCH_YEARS;
    // Skip whole months, days and hours that cannot match, so the search takes a few hundred steps at most.
    for (;;) {
      const d = new Date(t);
      const y = d.getUTCFullYear();
      if (y > lastYear) return null;
      const mo = d.getUTCMonth();
      const day = d.getUTCDate();
      const h = d.getUTCHours();
      if (!months.has(mo + 1)) t = Date.UTC(y, mo + 1, 1);
      else if (!dayMatches(d)) t = Date.UTC(y, mo, day + 1);
      else if (!hours.has(h)) t = Date.UTC(y, mo, day, h + 1);
      else if (!minutes.has(d.getUTCMinutes())) t += MINUTE;
      else return t;
    }
  };

  return { source, next, matches };
}

function parseField(text: string, spec: FieldSpec, source: string): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw invalid(source, `empty list item in the ${spec.name} field`);
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) throw invalid(source, `"${item}" in the ${spec.name} field has two steps`);
    let step = 1;
    if (stepText !== undefined) {
      step = toNumber(stepText, spec, source, item);
      if (step < 1) throw invalid(source, `step of "${item}" in the ${spec.name} field must be at least 1`);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range!.includes('-')) {
      const [a, b, rest] = range!.split('-');
      if (rest !== undefined || a === '' || b === '') throw invalid(source, `"${item}" in the ${spec.name} field is not a range`);
      from = toValue(a!, spec, source, item);
      to = toValue(b!, spec, source, item);
      if (from > to) throw invalid(source, `range "${item}" in the ${spec.name} field runs backwards`);
    } else {
      from = toValue(range!, spec, source, item);
      // `5/20` means from 5 to the end in steps of 20.
      to = stepText !== undefined ? spec.max : from;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function toValue(text: string, spec: FieldSpec, source: string, item: string): number {
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = index >= 0 ? index + (spec.min === 1 ? 1 : 0) : toNumber(text, spec, source, item);
  if (value < spec.min || value > spec.max) throw invalid(source, `${value} is outside ${spec.min}-${spec.max} in the ${spec.name} field`);
  return value;
}

function toNumber(text: string, spec: FieldSpec, source: string, item: string): number {
  if (!/^\d+$/.test(text)) throw invalid(source, `"${item}" in the ${spec.name} field is not a number, range or step`);
  return Number(text);
}

function invalid(source: string, why: string) {
  return createError('scheduler', 'validation', `invalid cron expression "${source}": ${why}`, { issues: [{ path: 'schedule.cron', message: why }] });
}
