// Topic names and the record layout of the Kafka queue. Pure functions, unit-tested without a broker.
//
// A record's value is the payload as JSON, so other Kafka tools read it as is. The caller's headers are
// native Kafka headers; the adapter's own metadata sits in headers under the reserved `tributary-` prefix.
import type { IHeaders, Message } from 'kafkajs';

/** Header names the adapter reserves (a caller's header starting with `tributary-` is rejected). */
export const H = {
  id: 'tributary-id',
  publishedAt: 'tributary-published-at',
  /** Attempts already made before this record was written (retry, visibility-timeout copy). */
  attempts: 'tributary-attempts',
  /** Not before (epoch ms): a delayed or retried record waits until then. */
  notBefore: 'tributary-not-before',
  reason: 'tributary-reason',
  failedAt: 'tributary-failed-at',
  group: 'tributary-group',
} as const;

export const RESERVED_PREFIX = 'tributary-';

/** The Kafka topics behind one queue topic. */
export interface KafkaTopics {
  main: string;
  /** Records published with `delayMs`; every group reads it and waits for each record's time. */
  delay: string;
  /** One group's retries (and replayed dead letters). */
  retry(group: string): string;
  /** Dead letters, `<topic>.dlq`. */
  dlq: string;
  /** Ids of dead letters already replayed (Kafka cannot delete a record). */
  replayed: string;
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;
const RESERVED_SUFFIX = /\.(dlq|delay|dlq\.replayed)$|\.retry\./;

/** Throws unless `topic` is a legal Kafka topic name that cannot collide with the adapter's own topics. */
export function validateTopicName(topic: string, prefix = ''): void {
  if (typeof topic !== 'string' || topic.length === 0) throw new TypeError('topic must be a non-empty string');
  if (!LEGAL.test(topic)) throw new TypeError(`topic "${topic}" may only contain letters, digits, ".", "_" and "-" (Kafka topic names)`);
  if (topic === '.' || topic === '..') throw new TypeError('topic may not be "." or ".."');
  if (RESERVED_SUFFIX.test(topic)) throw new TypeError(`topic "${topic}" ends like one of the adapter's own topics (.dlq, .delay, .retry.<group>)`);
  // the longest derived name: <prefix><topic>.dlq.replayed (the retry topic is bounded separately)
  if ((prefix + topic).length + '.dlq.replayed'.length > 249) throw new TypeError(`topic "${topic}" is too long for Kafka (249 characters with the adapter's suffixes)`);
}

/** Writes a group name with only legal characters: each other one (and `_`) becomes `_` + hex. */
export function encodeGroup(group: string): string {
  let out = '';
  for (const char of group) {
    if (/^[a-zA-Z0-9.-]$/.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function kafkaTopics(prefix: string, topic: string): KafkaTopics {
  const main = `${prefix}${topic}`;
  return {
    main,
    delay: `${main}.delay`,
    retry: (group) => `${main}.retry.${encodeGroup(group)}`.slice(0, 249),
    dlq: `${main}.dlq`,
    replayed: `${main}.dlq.replayed`,
  };
}

/** What a record carries once decoded. */
export interface DecodedRecord {
  id: string;
  payload: unknown;
  headers: Record<string, string>;
  key?: string;
  publishedAt: number;
  attempts: number;
  notBefore: number;
  /** Set on dead letters. */
  reason?: string;
  failedAt?: number;
  group?: string;
}

/** The fields of a record to write. */
export interface RecordInput {
  id: string;
  payloadJson: string;
  headers?: Record<string, string>;
  key?: string;
  publishedAt: number;
  attempts?: number;
  notBefore?: number;
  reason?: string;
  failedAt?: number;
  group?: string;
}

/** Builds a kafkajs message. Throws on a caller header in the reserved `tributary-` namespace. */
export function encodeRecord(input: RecordInput): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (name.toLowerCase().startsWith(RESERVED_PREFIX)) throw new TypeError(`header "${name}" uses the reserved prefix "${RESERVED_PREFIX}"`);
    headers[name] = String(value);
  }
  headers[H.id] = input.id;
  headers[H.publishedAt] = String(input.publishedAt);
  if (input.attempts) headers[H.attempts] = String(input.attempts);
  if (input.notBefore) headers[H.notBefore] = String(input.notBefore);
  if (input.reason !== undefined) headers[H.reason] = input.reason;
  if (input.failedAt !== undefined) headers[H.failedAt] = String(input.failedAt);
  if (input.group !== undefined) headers[H.group] = input.group;
  return { key: input.key ?? null, value: input.payloadJson, headers };
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const one = Array.isArray(value) ? value[value.length - 1] : value;
  if (one === undefined) return undefined;
  return typeof one === 'string' ? one : one.toString('utf8');
}

/** Decodes a consumed record. Records written by other producers decode too (id from `fallbackId`). */
export function decodeRecord(record: { key: Buffer | string | null; value: Buffer | string | null; headers?: IHeaders; timestamp?: string }, fallbackId: string): DecodedRecord {
  const own: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    const text = headerText(value);
    if (text === undefined) continue;
    if (name.startsWith(RESERVED_PREFIX)) own[name] = text;
    else headers[name] = text;
  }
  const raw = record.value === null ? 'null' : typeof record.value === 'string' ? record.value : record.value.toString('utf8');
  const key = record.key === null ? undefined : typeof record.key === 'string' ? record.key : record.key.toString('utf8');
  const number = (text: string | undefined, fallback: number) => {
    const n = text === undefined ? NaN : Number(text);
    return Number.isFinite(n) ? n : fallback;
  };
  return {
    id: own[H.id] ?? fallbackId,
    payload: JSON.parse(raw),
    headers,
    ...(key !== undefined ? { key } : {}),
    publishedAt: number(own[H.publishedAt], number(record.timestamp, 0)),
    attempts: number(own[H.attempts], 0),
    notBefore: number(own[H.notBefore], 0),
    ...(own[H.reason] !== undefined ? { reason: own[H.reason] } : {}),
    ...(own[H.failedAt] !== undefined ? { failedAt: number(own[H.failedAt], 0) } : {}),
    ...(own[H.group] !== undefined ? { group: own[H.group] } : {}),
  };
}

/** A dead letter id: where its record sits in the dead-letter topic. */
export function deadLetterId(partition: number, offset: string): string {
  return `${partition}:${offset}`;
}

export function parseDeadLetterId(id: string): { partition: number; offset: string } | undefined {
  const match = /^(\d+):(\d+)$/.exec(id);
  if (!match) return undefined;
  return { partition: Number(match[1]), offset: match[2]! };
}
