/**
 * @module dashboard/health
 * The health of a workspace's sources, from what is stored: each source's recent runs (status, items,
 * error), its records (last one, count over the last day), the problems the activity log heard, and
 * a lag — how long since the source last delivered, against what its schedule promises. Plus the
 * workspace's dead letters per stage and, for the admin, the queue's depth and age per stage (those
 * are shared by every workspace, so a workspace key does not see them).
 */
import type { StageName } from '@tributary/core/events';
import { STAGES, type Pipeline, type RunRecord, type SourceView } from '@tributary/core/pipeline';
import type { DeadLetter } from '@tributary/core/queue';
import type { ActivityEntry, ActivityLog } from './activity.js';

/** How a source is doing, worst first. */
export type SourceStatus = 'failing' | 'stale' | 'running' | 'idle' | 'healthy' | 'disabled';

export interface SourceHealth {
  id: string;
  name: string;
  connector: string;
  enabled: boolean;
  /** `pull` (scheduled or on demand), `push` (webhooks or the records API), or both. */
  mode: 'pull' | 'push' | 'pull+push';
  schedule: { everyMs?: number; cron?: string } | null;
  status: SourceStatus;
  /** Why, in a few words. */
  reason: string;
  lastRun: Pick<RunRecord, 'id' | 'status' | 'trigger' | 'requestedAt' | 'startedAt' | 'finishedAt' | 'pages' | 'items' | 'error'> | null;
  lastSuccessAt: string | null;
  /** Failed runs among the recent ones (up to {@link RECENT_RUNS}). */
  failedRuns: number;
  /** Failed runs since the last success. */
  failuresInRow: number;
  lastRecordAt: string | null;
  records24h: number;
  /** Ms since the source last delivered: its last successful pull, or its last record for push-only sources. */
  lagMs: number | null;
  lagBasis: 'last_success' | 'last_record' | null;
  recentErrors: ActivityEntry[];
}

export interface StageHealth {
  stage: StageName;
  /** This workspace's dead letters in the stage's topic. */
  deadLetters: number;
  /** Queue depth, in flight and oldest age for every workspace; admin only, else null. */
  queue: { depth: number; inFlight: number; oldestAgeMs: number | null } | null;
}

export interface WorkspaceHealth {
  generatedAt: string;
  sources: SourceHealth[];
  stages: StageHealth[];
  deadLetters: number;
  /** Destinations' recent refusals (from the activity log). */
  deliveryErrors: ActivityEntry[];
}

/** Runs read per source. */
export const RECENT_RUNS = 10;
/** Dead letters of a topic read to count a workspace's (the queue port has no workspace filter). */
const DEAD_LETTER_SCAN = 10_000;
/** A scheduled source is stale when its last success is older than this many intervals. */
const STALE_INTERVALS = 3;
/** Cron schedules have no fixed interval: stale after this long without a success. */
const CRON_STALE_MS = 6 * 3_600_000;
const DAY_MS = 86_400_000;

/** Dead letters whose payload belongs to the workspace. */
export const belongsTo = (letter: DeadLetter, workspaceId: string) => (letter.message.payload as { workspaceId?: unknown } | null)?.workspaceId === workspaceId;

export interface HealthDeps {
  pipeline: Pick<Pipeline, 'sources' | 'storage' | 'queue' | 'topics' | 'connectors' | 'listRuns'>;
  activity: ActivityLog;
}

function statusOf(source: SourceView, h: Omit<SourceHealth, 'status' | 'reason'>, now: number): { status: SourceStatus; reason: string } {
  if (!source.enabled) return { status: 'disabled', reason: 'disabled' };
  const last = h.lastRun;
  if (h.failuresInRow > 0 && last?.status !== 'running') return { status: 'failing', reason: `${h.failuresInRow} failed run${h.failuresInRow > 1 ? 's' : ''} in a row${last?.error ? `: ${last.error}` : ''}` };
  if (source.schedule && h.mode !== 'push') {
    const allowed = source.schedule.everyMs ? source.schedule.everyMs * STALE_INTERVALS : CRON_STALE_MS;
    const since = h.lastSuccessAt ? now - Date.parse(h.lastSuccessAt) : now - Date.parse(source.createdAt);
    if (since > allowed) return { status: 'stale', reason: h.lastSuccessAt ? 'no successful pull for longer than its schedule allows' : 'never pulled successfully' };
  }
  if (last && (last.status === 'running' || last.status === 'queued')) return { status: 'running', reason: last.status === 'running' ? 'pulling now' : 'pull queued' };
  if (!h.lastSuccessAt && !h.lastRecordAt) return { status: 'idle', reason: h.mode === 'push' ? 'waiting for the first delivery' : 'waiting for the first pull' };
  return { status: 'healthy', reason: 'ok' };
}

/** Computes the health of a workspace. */
export async function workspaceHealth(deps: HealthDeps, workspaceId: string, options: { admin: boolean; now?: number }): Promise<WorkspaceHealth> {
  const now = options.now ?? Date.now();
  const { pipeline, activity } = deps;
  const [sources, lastRows, dayRows, stages] = await Promise.all([
    pipeline.sources.list(workspaceId),
    pipeline.storage.aggregate({ workspaceId, bucket: 'all', groupBy: ['sourceId'] }),
    pipeline.storage.aggregate({ workspaceId, bucket: 'all', groupBy: ['sourceId'], from: new Date(now - DAY_MS).toISOString() }),
    Promise.all(
      STAGES.map(async (stage): Promise<StageHealth> => {
        const topic = pipeline.topics[stage];
        const [letters, stats] = await Promise.all([pipeline.queue.listDeadLetters(topic, { limit: DEAD_LETTER_SCAN }), options.admin ? pipeline.queue.stats(topic) : Promise.resolve(null)]);
        return { stage, deadLetters: letters.filter((l) => belongsTo(l, workspaceId)).length, queue: stats ? { depth: stats.depth, inFlight: stats.inFlight, oldestAgeMs: stats.oldestAgeMs } : null };
      }),
    ),
  ]);
  const lastAt = new Map(lastRows.map((r) => [r.group.sourceId ?? '', r.lastAt]));
  const dayCount = new Map(dayRows.map((r) => [r.group.sourceId ?? '', r.count]));

  const health = await Promise.all(
    sources.map(async (source): Promise<SourceHealth> => {
      const connector = pipeline.connectors.get(source.connector);
      const pulls = connector?.fetch !== undefined;
      const pushes = source.webhook !== null && connector?.webhook !== undefined;
      const mode: SourceHealth['mode'] = pulls && pushes ? 'pull+push' : pulls ? 'pull' : 'push';
      const recent = pulls ? (await pipeline.listRuns(workspaceId, source.id, { limit: RECENT_RUNS })).items : [];
      // A skipped run (another one held the source) says nothing about the source's health.
      const last = recent.find((r) => r.status !== 'skipped') ?? recent[0];
      const success = recent.find((r) => r.status === 'succeeded');
      const successIndex = success ? recent.indexOf(success) : recent.length;
      const lastRecordAt = lastAt.get(source.id) ?? null;
      const lastSuccessAt = success?.finishedAt ?? null;
      const lagBasis = mode === 'push' ? (lastRecordAt ? 'last_record' : null) : lastSuccessAt ? 'last_success' : lastRecordAt ? 'last_record' : null;
      const lagFrom = lagBasis === 'last_success' ? lastSuccessAt : lagBasis === 'last_record' ? lastRecordAt : null;
      const partial: Omit<SourceHealth, 'status' | 'reason'> = {
        id: source.id,
        name: source.name,
        connector: source.connector,
        enabled: source.enabled,
        mode,
        schedule: source.schedule,
        lastRun: last ? { id: last.id, status: last.status, trigger: last.trigger, requestedAt: last.requestedAt, startedAt: last.startedAt, finishedAt: last.finishedAt, pages: last.pages, items: last.items, error: last.error } : null,
        lastSuccessAt,
        failedRuns: recent.filter((r) => r.status === 'failed').length,
        failuresInRow: recent.slice(0, successIndex).filter((r) => r.status === 'failed').length,
        lastRecordAt,
        records24h: dayCount.get(source.id) ?? 0,
        lagMs: lagFrom ? Math.max(0, now - Date.parse(lagFrom)) : null,
        lagBasis,
        recentErrors: activity.recent(workspaceId, { sourceId: source.id, limit: 5 }),
      };
      return { ...partial, ...statusOf(source, partial, now) };
    }),
  );
  const rank: Record<SourceStatus, number> = { failing: 0, stale: 1, running: 2, idle: 3, healthy: 4, disabled: 5 };
  health.sort((a, b) => rank[a.status] - rank[b.status] || a.name.localeCompare(b.name));

  return {
    generatedAt: new Date(now).toISOString(),
    sources: health,
    stages,
    deadLetters: stages.reduce((n, s) => n + s.deadLetters, 0),
    deliveryErrors: activity.recent(workspaceId, { limit: 50 }).filter((e) => e.kind === 'delivery_failed').slice(0, 10),
  };
}
