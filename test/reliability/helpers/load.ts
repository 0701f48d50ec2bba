/**
 * Traffic for the reliability suites: a small HTTP client of the server's API, the workspace set-up
 * (a signed webhook source and an `http` destination at the fault-injection target), and a load
 * driver that sends events through the webhook endpoint and the records API and keeps the ids of
 * every event answered 202 — the ones the server promised not to lose. A refused or failed request is
 * retried as a client would (same event ids, same delivery id), so an outage delays events rather than
 * dropping them from the count; an event never accepted is not counted as accepted.
 */
import { randomUUID } from 'node:crypto';
import { generateStandardWebhooksSecret, signStandardWebhook } from '@tributary/core/webhooks';

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** Calls `base` + path with a bearer token and a JSON body; network errors become status 0. */
export async function call<T = any>(base: string, method: string, path: string, o: { token?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer<T>> {
  const headers = new Headers(o.headers);
  if (o.token) headers.set('authorization', `Bearer ${o.token}`);
  let body: BodyInit | undefined = o.raw as BodyInit | undefined;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  try {
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  } catch (error) {
    return { status: 0, body: undefined as T, text: (error as Error).message, headers: new Headers() };
  }
}

export interface Workspace {
  base: string;
  id: string;
  apiKey: string;
  sourceId: string;
  webhookSecret: string;
  destinationId: string;
}

/** Creates a workspace, a Standard Webhooks source and an http destination at `targetUrl`. */
export async function setUpWorkspace(base: string, adminToken: string, targetUrl: string, o: { name?: string; perSecond?: number } = {}): Promise<Workspace> {
  const must = <T>(a: Answer<T>, status: number, what: string): T => {
    if (a.status !== status) throw new Error(`${what}: ${a.status} ${a.text}`);
    return a.body;
  };
  const ws = must(await call<{ id: string; apiKey: string }>(base, 'POST', '/v1/workspaces', { token: adminToken, body: { name: o.name ?? 'reliability' } }), 201, 'create workspace');
  const webhookSecret = generateStandardWebhooksSecret();
  const source = must(
    await call<{ id: string }>(base, 'POST', `/v1/workspaces/${ws.id}/sources`, {
      token: ws.apiKey,
      body: { name: 'Widget', connector: 'webhook', config: { itemType: 'widget.feedback' }, webhook: { scheme: 'standard-webhooks', secret: webhookSecret }, check: false },
    }),
    201,
    'create source',
  );
  const perSecond = o.perSecond ?? 5000;
  const destination = must(
    await call<{ id: string }>(base, 'POST', `/v1/workspaces/${ws.id}/destinations`, {
      token: ws.apiKey,
      body: { kind: 'http', url: `${targetUrl}/in`, rateLimit: { perSecond, burst: perSecond }, filter: { types: ['record.processed'] } },
    }),
    201,
    'create destination',
  );
  return { base, id: ws.id, apiKey: ws.apiKey, sourceId: source.id, webhookSecret, destinationId: destination.id };
}

const TEXTS = [
  'Love the new dashboard, it is fast and clear',
  'The export keeps failing with a timeout, very frustrating',
  'Could you add dark mode to the mobile app?',
  'Billing page shows the wrong currency for my account',
  'Support answered within minutes, great service',
  'Search does not find older tickets',
];

/** A uniform record draft for the records API. */
export function draft(externalId: string, n: number) {
  return { externalId, itemType: 'note', occurredAt: new Date(Date.UTC(2026, 0, 1 + (n % 28), n % 24)).toISOString(), content: { text: `${TEXTS[n % TEXTS.length]} #${n}` } };
}

/** A seed 003 value record for the records API. */
export function valueRecord(recordId: string, n: number) {
  return { recordId, time: new Date(Date.UTC(2026, 0, 1 + (n % 28), n % 24)).toISOString(), sourceId: 'shop', destinationId: `d${n % 7}`, type: n % 3 === 0 ? 'negative' : 'positive', value: `${(n % 997) + 1}.25`, unit: 'EUR', reference: `ref-${n}` };
}

/** A webhook event of the generic connector. */
export function webhookEvent(id: string, n: number) {
  return { id, text: `${TEXTS[n % TEXTS.length]} (widget #${n})`, created_at: new Date(Date.UTC(2026, 1, 1 + (n % 27), n % 24)).toISOString() };
}

/** Sends one signed webhook delivery (an array of events); the same `deliveryId` on every retry. */
export function sendWebhook(ws: Workspace, events: unknown[], deliveryId: string, o: { timestamp?: number } = {}) {
  const body = JSON.stringify(events);
  const headers = signStandardWebhook({ id: deliveryId, timestamp: o.timestamp ?? Date.now(), body, secret: ws.webhookSecret });
  return call<{ accepted: number; ids: string[] }>(ws.base, 'POST', `/v1/hooks/${ws.id}/${ws.sourceId}`, { raw: body, headers: { ...headers, 'content-type': 'application/json' } });
}

/** Sends one batch to the records API. */
export function sendRecords(ws: Workspace, records: unknown[]) {
  return call<{ accepted: number; ids: string[] }>(ws.base, 'POST', `/v1/workspaces/${ws.id}/records`, { token: ws.apiKey, body: { records } });
}

export interface LoadOptions {
  /** Events to send in all. */
  total: number;
  /** Events per records-API request. @default 250 */
  recordsBatch?: number;
  /** Events per webhook delivery. @default 10 */
  webhookBatch?: number;
  /** Share of the events sent through the webhook endpoint. @default 0.2 */
  webhookShare?: number;
  /** Requests in flight. @default 6 */
  concurrency?: number;
  /** Events per second, roughly (0: as fast as accepted). @default 0 */
  ratePerSecond?: number;
  /** Attempts per request before giving up on its events. @default 60 */
  attempts?: number;
  /** Prefix of the event ids (unique per run). */
  prefix?: string;
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
}

export interface LoadResult {
  /** Record ids of the events answered 202 (or 200 for a redelivery of an accepted delivery). */
  accepted: Set<string>;
  /** The event behind each accepted record id: `w…` webhook events, `r…` drafts, `v…` value records. */
  origin: Map<string, string>;
  /** Events given up on (never accepted). */
  abandoned: number;
  requests: number;
  /** Answers other than 2xx, by status (0: no answer), retried. */
  refused: Record<string, number>;
  elapsedMs: number;
}

/** Sends `total` events and collects the accepted ids. */
export async function sendLoad(ws: Workspace, o: LoadOptions): Promise<LoadResult> {
  const recordsBatch = o.recordsBatch ?? 250;
  const webhookBatch = o.webhookBatch ?? 10;
  const webhookShare = o.webhookShare ?? 0.2;
  const attempts = o.attempts ?? 60;
  const prefix = o.prefix ?? randomUUID().slice(0, 8);
  const accepted = new Set<string>();
  const refused: Record<string, number> = {};
  let abandoned = 0;
  let requests = 0;
  const started = Date.now();

  // The work list: requests with their events, webhook deliveries spread evenly among record batches.
  type Job = { kind: 'records' | 'webhook'; events: unknown[]; deliveryId: string; size: number };
  const origin = new Map<string, string>();
  const externalIdOf = (event: unknown) => {
    const e = event as { id?: string; externalId?: string; recordId?: string };
    return e.externalId ?? e.recordId ?? e.id ?? '?';
  };
  const jobs: Job[] = [];
  const webhookEvents = Math.round(o.total * webhookShare);
  const recordEvents = o.total - webhookEvents;
  let n = 0;
  for (let i = 0; i < webhookEvents; i += webhookBatch) {
    const size = Math.min(webhookBatch, webhookEvents - i);
    const events = Array.from({ length: size }, () => {
      n++;
      return webhookEvent(`${prefix}-w${n}`, n);
    });
    jobs.push({ kind: 'webhook', events, deliveryId: `${prefix}-d${jobs.length}`, size });
  }
  const recordJobs: Job[] = [];
  for (let i = 0, b = 0; i < recordEvents; i += recordsBatch, b++) {
    const size = Math.min(recordsBatch, recordEvents - i);
    const events = Array.from({ length: size }, () => {
      n++;
      // One batch in four is seed 003 value records; the rest uniform drafts with text.
      return b % 4 === 3 ? valueRecord(`${prefix}-v${n}`, n) : draft(`${prefix}-r${n}`, n);
    });
    recordJobs.push({ kind: 'records', events, deliveryId: '', size });
  }
  // Interleave: every records batch is followed by its share of webhook deliveries.
  const mixed: Job[] = [];
  const perRecordJob = recordJobs.length ? Math.ceil(jobs.length / recordJobs.length) : jobs.length;
  let w = 0;
  for (const r of recordJobs) {
    mixed.push(r);
    for (let k = 0; k < perRecordJob && w < jobs.length; k++) mixed.push(jobs[w++]!);
  }
  while (w < jobs.length) mixed.push(jobs[w++]!);

  let next = 0;
  let sent = 0;
  const pace = async (size: number) => {
    if (!o.ratePerSecond) return;
    const due = started + (sent / o.ratePerSecond) * 1000;
    sent += size;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  const worker = async () => {
    for (;;) {
      if (o.signal?.aborted) return;
      const job = mixed[next++];
      if (!job) return;
      await pace(job.size);
      let done = false;
      for (let attempt = 1; attempt <= attempts && !done; attempt++) {
        requests++;
        const res = job.kind === 'webhook' ? await sendWebhook(ws, job.events, job.deliveryId) : await sendRecords(ws, job.events);
        if ((res.status === 202 || res.status === 200) && Array.isArray(res.body?.ids)) {
          res.body.ids.forEach((id: string, i: number) => {
            accepted.add(id);
            origin.set(id, `${externalIdOf(job.events[i])}${job.kind === 'webhook' ? ` (delivery ${job.deliveryId})` : ''}`);
          });
          if (res.body.ids.length !== job.size) throw new Error(`${job.kind}: ${job.size} events sent, ${res.body.ids.length} ids answered: ${res.text.slice(0, 300)}`);
          done = true;
        } else {
          refused[res.status] = (refused[res.status] ?? 0) + 1;
          if (res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 429) throw new Error(`${job.kind}: refused ${res.status} ${res.text.slice(0, 300)}`);
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
        }
      }
      if (!done) abandoned += job.size;
      o.onProgress?.(accepted.size);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 6 }, worker));
  return { accepted, origin, abandoned, requests, refused, elapsedMs: Date.now() - started };
}
