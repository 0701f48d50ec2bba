/**
 * @module @tributary/core/notifications
 * Seed 003's downstream messages, as pipeline reporters: a notification for every processed value
 * record with a summary of the earlier records of the same destination and reference, and an alert
 * whenever a value exceeds its threshold (per workspace and unit). The deliver stage sends them to
 * the workspace's destinations.
 */
import { Decimal } from '../decimal/index.js';
import type { Reporter, ReporterContext } from '../pipeline/reporters.js';
import { messageKey } from '../pipeline/reporters.js';
import type { Measurement } from '../record/schema.js';
import type { StorageAdapter } from '../storage/index.js';
import type { OutboundMessage } from '../target/index.js';

/** Summary of the records that came before one record, for its destination and reference. */
export interface EarlierRecordsSummary {
  destinationId: string;
  reference: string;
  /** Records strictly earlier in time (the record itself excluded). */
  count: number;
  /** Exact decimal totals by type. */
  totals: { positive: string; negative: string };
  /** Time of the first and last earlier record, or null when there is none. */
  firstTime: string | null;
  lastTime: string | null;
}

/** Payload of a `record.notification` message. */
export interface RecordNotification {
  record: Measurement;
  summary: EarlierRecordsSummary;
}

/** Payload of a `record.alert` message. */
export interface RecordAlert {
  record: Measurement;
  threshold: string;
  /** How far above the threshold, exact. */
  exceededBy: string;
}

/**
 * Summarizes the records of a workspace with the same destination and reference that happened
 * before `before` (exclusive), leaving out `excludeId`.
 */
export async function summarizeEarlierRecords(storage: StorageAdapter, query: { workspaceId: string; destinationId: string; reference: string; before: string; excludeId?: string }): Promise<EarlierRecordsSummary> {
  let positive = Decimal.ZERO;
  let negative = Decimal.ZERO;
  let count = 0;
  let firstTime: string | null = null;
  let lastTime: string | null = null;
  let firstAt: string | undefined;
  let lastAt: string | undefined;
  let cursor: string | undefined;
  do {
    const page = await storage.queryRecords({
      workspaceId: query.workspaceId,
      kinds: ['measurement'],
      destinationIds: [query.destinationId],
      references: [query.reference],
      to: query.before,
      order: 'asc',
      limit: 1000,
      cursor,
    });
    for (const r of page.items) {
      if (!r.measurement || r.id === query.excludeId) continue;
      count++;
      if (r.measurement.type === 'positive') positive = positive.plus(r.measurement.value);
      else negative = negative.plus(r.measurement.value);
      // Compare the canonical occurredAt; report the time as the record gave it.
      if (firstTime === null || r.occurredAt < firstAt!) [firstTime, firstAt] = [r.measurement.time, r.occurredAt];
      if (lastTime === null || r.occurredAt > lastAt!) [lastTime, lastAt] = [r.measurement.time, r.occurredAt];
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { destinationId: query.destinationId, reference: query.reference, count, totals: { positive: positive.toString(), negative: negative.toString() }, firstTime, lastTime };
}

const message = <T>(ctx: ReporterContext, type: string, payload: T): OutboundMessage<T> => {
  const idempotencyKey = messageKey(ctx.record, type);
  return { id: idempotencyKey, idempotencyKey, type, workspaceId: ctx.workspaceId, payload, createdAt: new Date(ctx.clock.now()).toISOString() };
};

/** Emits `record.notification` for every created or edited value record (seed 003). */
export function valueNotificationReporter(): Reporter {
  return {
    name: 'value-notification',
    async report(ctx) {
      const m = ctx.record.measurement;
      if (!m) return [];
      const summary = await summarizeEarlierRecords(ctx.storage, { workspaceId: ctx.workspaceId, destinationId: m.destinationId, reference: m.reference, before: ctx.record.occurredAt, excludeId: ctx.record.id });
      return [message<RecordNotification>(ctx, 'record.notification', { record: m, summary })];
    },
  };
}

/**
 * Where alert thresholds come from: a fixed map by unit (`{ EUR: '1000' }`, `'*'` for any unit), or a
 * function of workspace and unit (e.g. reading the workspace's settings). Undefined: no alert.
 */
export type ThresholdSource = Readonly<Record<string, string | number>> | ((workspaceId: string, unit: string, storage: StorageAdapter) => string | number | undefined | Promise<string | number | undefined>);

/** Thresholds stored per workspace: document `alert-thresholds` in collection `settings`, `{ [unit]: value }`. */
export const storedThresholds: ThresholdSource = async (workspaceId, unit, storage) => {
  const doc = await storage.getDocument<Record<string, string | number>>('settings', workspaceId, 'alert-thresholds');
  return doc?.[unit] ?? doc?.['*'];
};

/** Emits `record.alert` when a value record's value is above its threshold (seed 003). */
export function thresholdAlertReporter(thresholds: ThresholdSource = storedThresholds): Reporter {
  return {
    name: 'threshold-alert',
    async report(ctx) {
      const m = ctx.record.measurement;
      if (!m) return [];
      const raw = typeof thresholds === 'function' ? await thresholds(ctx.workspaceId, m.unit, ctx.storage) : (thresholds[m.unit] ?? thresholds['*']);
      if (raw === undefined) return [];
      const threshold = Decimal.parse(raw);
      const value = Decimal.parse(m.value);
      if (!value.gt(threshold)) return [];
      return [message<RecordAlert>(ctx, 'record.alert', { record: m, threshold: threshold.toString(), exceededBy: value.minus(threshold).toString() })];
    },
  };
}
