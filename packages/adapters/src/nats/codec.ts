// The body of a JetStream message: one JSON envelope. Headers of NATS are multi-valued and cannot carry
// every string (no CR/LF), so user headers travel inside the envelope rather than as NATS headers.
import type { Envelope as BaseEnvelope } from '../_shared/envelope.js';

export { envelopeToMessage as toMessage } from '../_shared/envelope.js';

/** What a published message carries: the shared envelope, plus two fields of this adapter. */
export interface Envelope extends BaseEnvelope {
  /** Not before (epoch ms): set on messages waiting in the delay stream. */
  nb?: number;
  /** Only this group handles it (a replayed dead letter); other groups acknowledge it unseen. */
  g?: string;
}

/** A dead letter as stored in the dead-letter stream. */
export interface DeadLetterEnvelope {
  m: Envelope;
  reason: string;
  failedAt: number;
  group: string;
  attempt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(value: Envelope | DeadLetterEnvelope): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeEnvelope(data: Uint8Array): Envelope {
  const value = JSON.parse(decoder.decode(data)) as Envelope;
  if (typeof value !== 'object' || value === null || typeof value.id !== 'string' || !('p' in value)) throw new Error('not a tributary envelope');
  return value;
}

export function decodeDeadLetter(data: Uint8Array): DeadLetterEnvelope {
  const value = JSON.parse(decoder.decode(data)) as DeadLetterEnvelope;
  if (typeof value !== 'object' || value === null || typeof value.m !== 'object') throw new Error('not a tributary dead letter');
  return value;
}

/** Best-effort text of a body that is not an envelope, for a dead letter. */
export function rawText(data: Uint8Array): string {
  return decoder.decode(data);
}
