/** 1e11 seconds is the year 5138 while 1e11 milliseconds is 1973: below it, a number is seconds. */
const SECONDS_BELOW = 1e11;
/** Likewise between milliseconds and microseconds (some APIs send µs). */
const MILLIS_BELOW = 1e14;

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
/** RFC 2822 / HTTP dates, as feeds and mail-like APIs send them: `Tue, 15 Nov 1994 08:12:31 GMT`. */
const RFC_2822 = /^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:GMT|UTC|UT|Z|[+-]\d{4}|[A-Z]{3})$/;

/**
 * Reads a time as sources send them and returns it as canonical ISO 8601 UTC (`…T…Z`, milliseconds),
 * or undefined when it is not one. Accepts ISO 8601 / RFC 3339 (a time without an offset is taken as
 * UTC, never as this machine's zone), a bare date (midnight UTC), RFC 2822 dates, and epoch
 * seconds, milliseconds or microseconds as a number or a string of digits.
 */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  const iso = ISO.exec(text);
  if (iso) {
    const [, date, time = '00:00', zone = 'Z'] = iso;
    const offset = zone === 'Z' || zone === 'z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    return valid(Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}${offset}`));
  }
  if (RFC_2822.test(text)) return valid(Date.parse(text));
  return undefined;
}

function fromEpoch(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const ms = n < SECONDS_BELOW ? n * 1000 : n < MILLIS_BELOW ? n : n / 1000;
  return valid(Math.round(ms));
}

function valid(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
