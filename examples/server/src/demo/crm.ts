/**
 * @module demo/crm
 * The demo's downstream system: a make-believe CRM that takes the workspace's messages (processed
 * records, value notifications, alerts) on `POST /crm/events` with a bearer token. Like real
 * receivers it is not always happy: it refuses some messages the first time with 422 ("unknown
 * contact") and takes them when they come again, so the dashboard's dead letters have something a
 * replay fixes.
 */
import { createHash } from 'node:crypto';
import type { SimAnswer } from './forum.js';

/** Options of {@link createCrm}. */
export interface CrmOptions {
  /** The bearer token deliveries must carry. */
  token: string;
  /**
   * Which messages are refused on their first delivery, by idempotency key and type.
   * @default about one `record.processed` message in twelve
   */
  refuseFirst?: (idempotencyKey: string, type: string | undefined) => boolean;
  /** Messages kept for inspection. @default 500 */
  keep?: number;
}

export interface CrmMessage {
  idempotencyKey: string;
  type: string | undefined;
  receivedAt: string;
  body: unknown;
}

export interface Crm {
  readonly stats: { accepted: number; refused: number; duplicates: number; unauthorized: number };
  /** The latest messages accepted, oldest first. */
  readonly messages: readonly CrmMessage[];
  handle(request: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }): SimAnswer;
}

/** Keys remembered for deduplication: a demo left running for days must not grow without bound. */
const REMEMBERED_KEYS = 100_000;
const remember = (set: Set<string>, key: string) => {
  set.add(key);
  if (set.size > REMEMBERED_KEYS) set.delete(set.values().next().value!);
};

const defaultRefuseFirst = (key: string, type: string | undefined) => type === 'record.processed' && createHash('sha256').update(key).digest()[0]! % 12 === 0;

export function createCrm(options: CrmOptions): Crm {
  const refuseFirst = options.refuseFirst ?? defaultRefuseFirst;
  const keep = options.keep ?? 500;
  const stats = { accepted: 0, refused: 0, duplicates: 0, unauthorized: 0 };
  const messages: CrmMessage[] = [];
  const accepted = new Set<string>();
  const refusedOnce = new Set<string>();

  return {
    stats,
    messages,
    handle(request) {
      const get = (name: string) => {
        const v = request.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      if (request.method !== 'POST' || new URL(request.url, 'http://crm.invalid').pathname !== '/crm/events') return { status: 404, body: { error: 'not found' } };
      if (get('authorization') !== `Bearer ${options.token}`) {
        stats.unauthorized++;
        return { status: 401, body: { error: 'invalid token' } };
      }
      let body: { type?: unknown } | null;
      try {
        body = JSON.parse(request.body) as { type?: unknown } | null;
      } catch {
        return { status: 400, body: { error: 'body is not JSON' } };
      }
      const key = get('idempotency-key') ?? '';
      const type = typeof body?.type === 'string' ? body.type : undefined;
      if (accepted.has(key)) {
        stats.duplicates++;
        return { status: 200, body: { status: 'duplicate' } };
      }
      if (!refusedOnce.has(key) && refuseFirst(key, type)) {
        remember(refusedOnce, key);
        stats.refused++;
        return { status: 422, body: { error: 'unknown contact: the author is not in the CRM yet (replay once the contact sync has run)' } };
      }
      remember(accepted, key);
      stats.accepted++;
      messages.push({ idempotencyKey: key, type, receivedAt: new Date().toISOString(), body });
      if (messages.length > keep) messages.splice(0, messages.length - keep);
      return { status: 202, body: { status: 'accepted' } };
    },
  };
}
