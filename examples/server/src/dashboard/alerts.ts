/**
 * @module dashboard/alerts
 * What deserves someone's attention in a workspace over a period, most severe first:
 * - value records above the workspace's alert threshold: the same rule, and so the same records, as
 *   the `record.alert` messages the threshold reporter sends downstream (seed 003);
 * - anomalies of the insight report: a bucket whose volume, or whose share of negative feedback, is
 *   far above its trailing window (robust z-score), e.g. a bad release;
 * - emerging topics: new, or at least doubled against the previous period;
 * - sources failing or stale, and dead letters waiting for a replay (from the health).
 * Computed when asked, from stored data: nothing to keep in sync, and the same answer in every process.
 */
import { Decimal } from '@tributary/core/decimal';
import type { Pipeline } from '@tributary/core/pipeline';
import { insightReport, type InsightReport } from '@tributary/core/reports';
import type { WorkspaceHealth } from './health.js';

export type AlertSeverity = 'critical' | 'warning' | 'info';
export type AlertKind = 'threshold' | 'volume_spike' | 'negative_spike' | 'emerging_topic' | 'source_failing' | 'source_stale' | 'dead_letters';

export interface Alert {
  /** Stable for the same finding, so a client can tell new ones. */
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** When it happened (the record's time, the bucket's start, the run's end…). */
  at: string;
  title: string;
  detail: string;
  sourceId?: string;
  recordId?: string;
  topic?: string;
}

/** Value records read for threshold alerts, newest first. */
const THRESHOLD_SCAN = 1000;
/** Threshold alerts listed at most. */
const MAX_THRESHOLD_ALERTS = 50;
/** Emerging topics listed at most. */
const MAX_TOPIC_ALERTS = 5;

const RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

const pct = (x: number) => `${Math.round(x * 100)}%`;
const bucketName = (iso: string, bucket: string) => (bucket === 'hour' ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : iso.slice(0, 10));

/** Value records above their threshold (per unit, `*` for any), as the threshold reporter decides. */
export async function thresholdAlerts(storage: Pipeline['storage'], query: { workspaceId: string; from: string; to: string }): Promise<Alert[]> {
  const thresholds = await storage.getDocument<Record<string, string | number>>('settings', query.workspaceId, 'alert-thresholds');
  if (!thresholds || Object.keys(thresholds).length === 0) return [];
  const page = await storage.queryRecords({ workspaceId: query.workspaceId, kinds: ['measurement'], from: query.from, to: query.to, order: 'desc', limit: THRESHOLD_SCAN });
  const alerts: Alert[] = [];
  for (const record of page.items) {
    const m = record.measurement;
    if (!m) continue;
    const raw = thresholds[m.unit] ?? thresholds['*'];
    if (raw === undefined || !Decimal.isValid(String(raw)) || !Decimal.isValid(m.value)) continue;
    const threshold = Decimal.parse(raw);
    const value = Decimal.parse(m.value);
    if (!value.gt(threshold)) continue;
    alerts.push({
      id: `threshold:${record.id}`,
      kind: 'threshold',
      // Twice the threshold or more is worth waking someone for.
      severity: value.gt(threshold.plus(threshold)) ? 'critical' : 'warning',
      at: record.occurredAt,
      title: `${m.type === 'negative' ? 'Debit' : 'Credit'} of ${m.value} ${m.unit} above the ${threshold.toString()} ${m.unit} threshold`,
      detail: `${m.reference} for ${m.destinationId} (record ${m.recordId}), ${value.minus(threshold).toString()} ${m.unit} over`,
      recordId: record.id,
    });
    if (alerts.length >= MAX_THRESHOLD_ALERTS) break;
  }
  return alerts;
}

/** Anomalies and emerging topics of an insight report. */
export function reportAlerts(report: Pick<InsightReport, 'anomalies' | 'emergingTopics' | 'bucket' | 'to'>): Alert[] {
  const alerts: Alert[] = report.anomalies.map((a) =>
    a.metric === 'volume'
      ? {
          id: `volume:${a.bucket}`,
          kind: 'volume_spike' as const,
          severity: 'warning' as const,
          at: a.bucket,
          title: `Volume spike on ${bucketName(a.bucket, report.bucket)}`,
          detail: `${a.value} records against a usual ${Math.round(a.expected)} (z = ${a.z.toFixed(1)})`,
        }
      : {
          id: `negative:${a.bucket}`,
          kind: 'negative_spike' as const,
          severity: 'critical' as const,
          at: a.bucket,
          title: `Negative feedback spike on ${bucketName(a.bucket, report.bucket)}`,
          detail: `${pct(a.value)} negative against a usual ${pct(a.expected)} (z = ${a.z.toFixed(1)})`,
        },
  );
  // The biggest few: a list of every growing topic buries the alerts that matter.
  for (const t of [...report.emergingTopics].sort((a, b) => b.count - a.count).slice(0, MAX_TOPIC_ALERTS)) {
    alerts.push({
      id: `topic:${t.topic}`,
      kind: 'emerging_topic',
      severity: 'info',
      at: report.to,
      title: t.isNew ? `New topic: ${t.topic}` : `Growing topic: ${t.topic}`,
      detail: t.isNew ? `${t.count} records, none in the previous period` : `${t.count} records, up from ${t.previousCount}${t.change.relative !== null ? ` (+${pct(t.change.relative)})` : ''}`,
      topic: t.topic,
    });
  }
  return alerts;
}

/** Failing and stale sources, and dead letters. */
export function healthAlerts(health: WorkspaceHealth): Alert[] {
  const alerts: Alert[] = [];
  for (const s of health.sources) {
    if (s.status === 'failing') {
      alerts.push({ id: `failing:${s.id}`, kind: 'source_failing', severity: 'critical', at: s.lastRun?.finishedAt ?? health.generatedAt, title: `Source failing: ${s.name}`, detail: s.reason, sourceId: s.id });
    } else if (s.status === 'stale') {
      alerts.push({ id: `stale:${s.id}`, kind: 'source_stale', severity: 'warning', at: s.lastSuccessAt ?? health.generatedAt, title: `Source stale: ${s.name}`, detail: s.reason, sourceId: s.id });
    }
  }
  if (health.deadLetters > 0) {
    const where = health.stages.filter((s) => s.deadLetters > 0).map((s) => `${s.deadLetters} in ${s.stage}`);
    alerts.push({ id: 'dead-letters', kind: 'dead_letters', severity: 'warning', at: health.generatedAt, title: `${health.deadLetters} dead letter${health.deadLetters > 1 ? 's' : ''} waiting for a replay`, detail: where.join(', ') });
  }
  return alerts;
}

/** Every alert of a workspace and period, most severe first, then newest first. */
export async function workspaceAlerts(
  storage: Pipeline['storage'],
  query: { workspaceId: string; from: string; to: string; bucket: 'hour' | 'day' | 'week'; now?: string },
  health: WorkspaceHealth,
): Promise<Alert[]> {
  const [threshold, report] = await Promise.all([
    thresholdAlerts(storage, query),
    insightReport(storage, { workspaceId: query.workspaceId, from: query.from, to: query.to, bucket: query.bucket, ...(query.now ? { now: query.now } : {}), examplesPerTopic: 0, topTopics: 20 }),
  ]);
  const alerts = [...healthAlerts(health), ...reportAlerts(report), ...threshold];
  return alerts.sort((a, b) => RANK[a.severity] - RANK[b.severity] || (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
