/**
 * The end-of-run checks: what storage holds for the accepted ids (read straight from PostgreSQL,
 * not through the API under test) and what the target accepted, and a wait that lasts while the
 * pipeline still makes progress.
 */
import { call, type Workspace } from './load.js';
import { sql } from './services.js';
import type { Target } from './target.js';

export interface Figures {
  accepted: number;
  /** Rows of the records table for the workspace. */
  storedRows: number;
  storedDistinct: number;
  /** Accepted ids with no stored record. */
  missingStored: number;
  /** Stored ids nobody was answered 202 for. */
  unexpectedStored: number;
  /** Replaced revisions (a record stored twice with different content would show here). */
  historyRows: number;
  /** Accepted ids the target accepted a `record.processed` for. */
  delivered: number;
  missingDelivered: number;
  /** Deliveries the target dropped as already seen (at-least-once redeliveries). */
  targetDuplicates: number;
  targetRequests: number;
  /** A few accepted ids never delivered, with their event (for the diagnosis). */
  missingDeliveredSample: string[];
}

const KEY = /^(.*):r(\d+):record\.processed$/;

const parsed = new WeakMap<Target, { size: number; ids: Set<string> }>();

/** The record ids the target accepted (kept per target and recomputed only when it accepted more: keys are only ever added). */
export function deliveredIds(target: Target): ReadonlySet<string> {
  const cached = parsed.get(target);
  if (cached && cached.size === target.keys.size) return cached.ids;
  const ids = new Set<string>();
  for (const key of target.keys) {
    const m = KEY.exec(key);
    if (m) ids.add(m[1]!);
  }
  parsed.set(target, { size: target.keys.size, ids });
  return ids;
}

export async function storedIds(databaseUrl: string, workspaceId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(databaseUrl, 'SELECT id FROM tributary.records WHERE workspace_id = $1', [workspaceId]);
  return rows.map((r) => r.id);
}

export async function storedCount(databaseUrl: string, workspaceId: string): Promise<number> {
  const [row] = await sql<{ n: string }>(databaseUrl, 'SELECT count(*) AS n FROM tributary.records WHERE workspace_id = $1', [workspaceId]);
  return Number(row?.n ?? 0);
}

/** Counts storage and target against the accepted ids. */
export async function figures(databaseUrl: string, ws: Workspace, accepted: ReadonlySet<string>, target: Target, origin?: ReadonlyMap<string, string>): Promise<Figures> {
  const ids = await storedIds(databaseUrl, ws.id);
  const distinct = new Set(ids);
  const [history] = await sql<{ n: string }>(databaseUrl, 'SELECT count(*) AS n FROM tributary.record_history WHERE workspace_id = $1', [ws.id]);
  const delivered = deliveredIds(target);
  let missingStored = 0;
  let missingDelivered = 0;
  let deliveredAccepted = 0;
  const missingDeliveredSample: string[] = [];
  for (const id of accepted) {
    if (!distinct.has(id)) missingStored++;
    if (delivered.has(id)) deliveredAccepted++;
    else {
      missingDelivered++;
      if (missingDeliveredSample.length < 12) missingDeliveredSample.push(`${id} ${origin?.get(id) ?? ''}${distinct.has(id) ? ' (stored)' : ' (not stored)'}`);
    }
  }
  let unexpectedStored = 0;
  for (const id of distinct) if (!accepted.has(id)) unexpectedStored++;
  const counts = target.counts();
  return {
    accepted: accepted.size,
    storedRows: ids.length,
    storedDistinct: distinct.size,
    missingStored,
    unexpectedStored,
    historyRows: Number(history?.n ?? 0),
    delivered: deliveredAccepted,
    missingDelivered,
    targetDuplicates: counts.duplicates,
    targetRequests: counts.requests,
    missingDeliveredSample,
  };
}

/** Dead letters of every stage of the workspace, through the API (for the diagnosis of a failure). */
export async function deadLetters(ws: Workspace): Promise<Record<string, { count: number; reasons: string[] }>> {
  const out: Record<string, { count: number; reasons: string[] }> = {};
  for (const stage of ['parse', 'analyze', 'report', 'deliver']) {
    const res = await call<{ items: { reason: string }[] }>(ws.base, 'GET', `/v1/workspaces/${ws.id}/dead-letters?stage=${stage}&limit=1000`, { token: ws.apiKey });
    if (res.status !== 200) {
      out[stage] = { count: -1, reasons: [`${res.status} ${res.text.slice(0, 200)}`] };
      continue;
    }
    if (res.body.items.length > 0) out[stage] = { count: res.body.items.length, reasons: [...new Set(res.body.items.map((i) => i.reason))].slice(0, 5) };
  }
  return out;
}

/**
 * Waits until every accepted id is stored and delivered. Gives up when nothing moved for `stallMs`
 * (the pipeline is stuck, or lost something) or after `timeoutMs`; resolves with how long it took.
 */
export async function waitForCompletion(databaseUrl: string, ws: Workspace, accepted: ReadonlySet<string>, target: Target, o: { timeoutMs: number; stallMs: number; log?: (line: string) => void }): Promise<{ ms: number; complete: boolean }> {
  const started = Date.now();
  let last = -1;
  let lastMove = Date.now();
  let lastLog = 0;
  for (;;) {
    let stored = -1;
    try {
      stored = await storedCount(databaseUrl, ws.id);
    } catch {
      // PostgreSQL restarting: try again
    }
    const delivered = deliveredIds(target).size;
    const progress = stored + delivered;
    if (progress !== last) {
      last = progress;
      lastMove = Date.now();
    }
    if (stored >= accepted.size && delivered >= accepted.size) return { ms: Date.now() - started, complete: true };
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      o.log?.(`  … stored ${stored}/${accepted.size}, delivered ${delivered}/${accepted.size} (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    if (Date.now() - lastMove > o.stallMs || Date.now() - started > o.timeoutMs) return { ms: Date.now() - started, complete: false };
    await new Promise((r) => setTimeout(r, 500));
  }
}
