import { analyzeRecord, analyzedBy, type Analyzer } from '../analysis/index.js';
import type { Clock } from '../clock/index.js';
import type { EventBus, TributaryEvents } from '../events/index.js';
import type { TributaryRecord } from '../record/schema.js';
import type { StorageAdapter } from '../storage/index.js';
import { forEachLimited, yieldToEventLoop } from './pool.js';
import type { ReanalysisProgress, SavedReanalysis } from './types.js';

/** The storage collection progress is saved in, one document per workspace and job. */
export const REANALYSIS_COLLECTION = 'reanalysis';

/** What one workspace's walk needs; shared by every workspace of a job. */
export interface WalkContext {
  storage: StorageAdapter;
  analyzers: readonly Analyzer[];
  bus: EventBus<TributaryEvents> | undefined;
  clock: Clock;
  jobId: string;
  owner: string;
  sourceIds: string[] | undefined;
  batchSize: number;
  concurrency: number;
  leaseTtlMs: number;
  restart: boolean;
  signal: AbortSignal;
  /** Waits for the rate limit's next slot before one analysis. */
  pace: () => Promise<void>;
  /** The job's running totals; the walk adds to them. */
  progress: ReanalysisProgress;
  publish: () => void;
}

type Counts = Pick<ReanalysisProgress, 'scanned' | 'reanalyzed' | 'skipped' | 'failed'>;

/**
 * Walks one workspace oldest first from its saved position, re-analyzing stale records, saving the
 * position after each whole batch. Storage errors end the walk without saving the batch they hit
 * (the batch is walked again next time; its finished records are then skipped as up to date).
 */
export async function walkWorkspace(ctx: WalkContext, workspaceId: string): Promise<'done' | 'aborted' | 'busy'> {
  const lockKey = `reanalysis:${workspaceId}:${ctx.jobId}`;
  if (!(await ctx.storage.acquireLock(lockKey, ctx.owner, ctx.leaseTtlMs))) return 'busy';
  try {
    const saved = ctx.restart ? null : await ctx.storage.getDocument<SavedReanalysis>(REANALYSIS_COLLECTION, workspaceId, ctx.jobId);
    const totals: Counts = { scanned: saved?.scanned ?? 0, reanalyzed: saved?.reanalyzed ?? 0, skipped: saved?.skipped ?? 0, failed: saved?.failed ?? 0 };
    add(ctx.progress, totals);
    ctx.progress.workspaceId = workspaceId;
    if (saved?.done) return 'done';
    let cursor = saved?.cursor ?? undefined;
    for (;;) {
      if (ctx.signal.aborted) return 'aborted';
      if (!(await ctx.storage.renewLock(lockKey, ctx.owner, ctx.leaseTtlMs))) return 'busy';
      const page = await ctx.storage.queryRecords({ workspaceId, order: 'asc', limit: ctx.batchSize, ...(ctx.sourceIds ? { sourceIds: ctx.sourceIds } : {}), ...(cursor ? { cursor } : {}) });
      const batch: Counts = { scanned: 0, reanalyzed: 0, skipped: 0, failed: 0 };
      await forEachLimited(page.items, ctx.concurrency, (record) => refresh(ctx, record, batch), () => ctx.signal.aborted);
      if (ctx.signal.aborted) return 'aborted';
      add(totals, batch);
      const done = page.nextCursor === null;
      cursor = page.nextCursor ?? cursor;
      await ctx.storage.putDocument<SavedReanalysis>(REANALYSIS_COLLECTION, workspaceId, ctx.jobId, {
        jobId: ctx.jobId,
        analyzers: ctx.analyzers.map((a) => ({ name: a.name, version: a.version })),
        sourceIds: ctx.sourceIds ?? null,
        cursor: cursor ?? null,
        ...totals,
        done,
        updatedAt: new Date(ctx.clock.now()).toISOString(),
      });
      ctx.publish();
      if (done) return 'done';
      await yieldToEventLoop();
    }
  } finally {
    await ctx.storage.releaseLock(lockKey, ctx.owner).catch(() => undefined);
  }
}

/** Re-analyzes one record if its analyzer versions are not the current ones. */
async function refresh(ctx: WalkContext, record: TributaryRecord, batch: Counts): Promise<void> {
  count(ctx, batch, 'scanned');
  if (analyzedBy(record, ctx.analyzers)) return count(ctx, batch, 'skipped');
  await ctx.pace();
  if (ctx.signal.aborted) return;
  const started = ctx.clock.now();
  let next: TributaryRecord;
  try {
    next = await analyzeRecord(record, ctx.analyzers, { signal: ctx.signal, now: () => new Date(ctx.clock.now()) });
  } catch (error) {
    if (ctx.signal.aborted) return;
    ctx.progress.lastError = { recordId: record.id, message: error instanceof Error ? error.message : String(error) };
    return count(ctx, batch, 'failed');
  }
  // The content hash guard: an edit stored meanwhile wins, and its new revision gets analyzed by the pipeline.
  const written = await ctx.storage.updateAnalysis(record.workspaceId, record.id, record.contentHash, next.analysis, next.provenance);
  if (!written) return count(ctx, batch, 'skipped');
  count(ctx, batch, 'reanalyzed');
  ctx.bus?.emit('record.analyzed', { workspaceId: record.workspaceId, recordId: record.id, analyzers: ctx.analyzers.map((a) => a.name), durationMs: ctx.clock.now() - started });
}

/** Counts into the batch (saved with the position) and the live totals (reported at once). */
function count(ctx: WalkContext, batch: Counts, key: keyof Counts): void {
  batch[key]++;
  ctx.progress[key]++;
}

function add(into: Counts, counts: Counts): void {
  into.scanned += counts.scanned;
  into.reanalyzed += counts.reanalyzed;
  into.skipped += counts.skipped;
  into.failed += counts.failed;
}
