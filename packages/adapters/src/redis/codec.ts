// How a message is laid out in a stream entry: short field names, the payload as JSON text.
import type { QueueMessage } from '@tributary/core/queue';

/** Field names of a stream entry. */
export const F = {
  id: 'id',
  payload: 'p',
  headers: 'h',
  key: 'k',
  publishedAt: 't',
  reason: 'reason',
  failedAt: 'failedAt',
  group: 'group',
  attempt: 'attempt',
  /** Set on a replayed entry: the only group that handles it. */
  onlyGroup: 'g',
} as const;

/** The fields of a new entry, flat as XADD takes them. */
export function encodeFields(message: { id: string; payloadJson: string; headers?: Record<string, string>; key?: string; publishedAt: number }): string[] {
  const fields = [F.id, message.id, F.payload, message.payloadJson, F.publishedAt, String(message.publishedAt)];
  if (message.headers && Object.keys(message.headers).length > 0) fields.push(F.headers, JSON.stringify(message.headers));
  if (message.key !== undefined) fields.push(F.key, message.key);
  return fields;
}

/** A flat field list (as XRANGE and XREADGROUP return it) as an object. */
export function fieldMap(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** Decodes an entry into a message; throws when the entry was not written by this adapter. */
export function decodeMessage(topic: string, fields: Record<string, string>, attempt: number): QueueMessage {
  const id = fields[F.id];
  const payload = fields[F.payload];
  if (id === undefined || payload === undefined) throw new Error('entry has no id or payload field');
  const rawHeaders = fields[F.headers];
  const headers = rawHeaders === undefined ? {} : (JSON.parse(rawHeaders) as Record<string, string>);
  return {
    id,
    topic,
    payload: JSON.parse(payload),
    headers,
    attempt,
    publishedAt: Number(fields[F.publishedAt] ?? 0),
    ...(fields[F.key] !== undefined ? { key: fields[F.key] } : {}),
  };
}

/** Copies the message fields of an entry (for a dead letter), falling back to the raw entry. */
export function messageFields(fields: Record<string, string>, entryId: string): string[] {
  const out: string[] = [];
  for (const name of [F.id, F.payload, F.headers, F.key, F.publishedAt]) {
    const value = fields[name];
    if (value !== undefined) out.push(name, value);
  }
  if (fields[F.id] === undefined) out.push(F.id, entryId);
  if (fields[F.payload] === undefined) out.push(F.payload, JSON.stringify(fields));
  return out;
}
