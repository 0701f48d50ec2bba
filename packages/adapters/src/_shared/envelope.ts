// The JSON envelope the NATS and RabbitMQ adapters carry a message in. Their headers cannot carry every
// string (NATS: no CR/LF; AMQP: typed tables), so user headers travel inside the body instead.
import type { QueueMessage } from '@tributary/core/queue';

/** What a published message carries. */
export interface Envelope {
  /** Message id. */
  id: string;
  /** Payload. */
  p: unknown;
  /** Headers, when any. */
  h?: Record<string, string>;
  /** Key, when given. */
  k?: string;
  /** Published at (epoch ms). */
  t: number;
}

/**
 * Writes an envelope around a payload already serialized, so the payload is turned into JSON once.
 * `extra` adds numeric fields (NATS: the not-before time of a delayed message).
 */
export function spliceEnvelope(id: string, t: number, payloadJson: string, headers: Record<string, string> | undefined, key: string | undefined, extra: Record<string, number> = {}): string {
  let text = `{"id":${JSON.stringify(id)},"t":${t}`;
  if (headers && Object.keys(headers).length > 0) text += `,"h":${JSON.stringify(headers)}`;
  if (key !== undefined) text += `,"k":${JSON.stringify(key)}`;
  for (const [name, value] of Object.entries(extra)) text += `,${JSON.stringify(name)}:${value}`;
  return `${text},"p":${payloadJson}}`;
}

/** The message a handler receives for an envelope. */
export function envelopeToMessage(topic: string, e: Envelope, attempt: number): QueueMessage {
  return { id: e.id, topic, payload: e.p, headers: { ...(e.h ?? {}) }, attempt, publishedAt: e.t, ...(e.k !== undefined ? { key: e.k } : {}) };
}
