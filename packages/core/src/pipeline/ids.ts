import { randomBytes } from 'node:crypto';

/** A random, URL-safe, time-sortable id with a prefix: `src_01h…`. */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

/** A W3C `traceparent` header for a new trace. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** A child `traceparent`: same trace id, new span id. */
export function childTraceparent(parent: string | undefined): string {
  const match = parent ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(parent) : null;
  if (!match) return newTraceparent();
  return `00-${match[1]}-${randomBytes(8).toString('hex')}-${match[2]}`;
}

/** The trace id of a `traceparent`, if well formed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? /^00-([0-9a-f]{32})-/.exec(traceparent)?.[1] : undefined;
}
