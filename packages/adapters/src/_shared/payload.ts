// The checks every queue adapter makes on a message before it leaves the process, so a bad message is
// refused with the same typed error whatever the engine.
import { randomUUID } from 'node:crypto';
import { createError } from '@tributary/core/errors';
import type { PublishOptions } from '@tributary/core/queue';

/** A payload checked for publishing: its JSON, serialized once, and the message id. */
export interface CheckedPayload {
  json: string;
  id: string;
}

/**
 * Serializes a payload and picks the message id: `validation` when the payload is not JSON or the id is
 * empty, `payload_too_large` past `maxPayloadBytes`.
 */
export function checkPayload(component: string, payload: unknown, o: PublishOptions, maxPayloadBytes: number): CheckedPayload {
  const json = JSON.stringify(payload);
  if (json === undefined) throw createError(component, 'validation', 'payload must be JSON-serializable');
  const size = Buffer.byteLength(json);
  if (size > maxPayloadBytes) throw createError(component, 'payload_too_large', `payload of ${size} bytes is over ${maxPayloadBytes} bytes`);
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id.length === 0)) throw createError(component, 'validation', 'id must be a non-empty string');
  return { json, id: o.id ?? randomUUID() };
}

/** The delay of a publish, in whole non-negative milliseconds. */
export function publishDelayMs(o: PublishOptions): number {
  return Math.max(0, Math.round(o.delayMs ?? 0));
}
