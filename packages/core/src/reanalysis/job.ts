import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock/index.js';
import { createError } from '../errors/index.js';
import { GLOBAL_SCOPE, type StorageAdapter } from '../storage/index.js';
import { reanalysisJobId } from './job-id.js';
import { ProgressFeed } from './progress-feed.js';
import type { ReanalysisJob, ReanalysisOptions, ReanalysisProgress } from './types.js';
import { walkWorkspace, type WalkContext } from './walk.js';

/**
 * Starts re-analyzing stored records in the background: every record whose analysis was made by
 * other analyzer versions than `analyzers` is analyzed again and written with `updateAnalysis`
 * (aggregates follow, so reports show the new results once the job is done).
 *
 * The job walks records oldest first in keyset pages of `batchSize`, awaits a macrotask between
 * batches (ingestion keeps running in the same process) and saves its position in the `reanalysis`
 * document collection after each batch: a job started again with the same analyzers and sources
 * continues where the last one stopped, and one that finished does nothing. Records already up to
 * date are skipped, so running it twice changes nothing.
 *
 * @example
 * const job = startReanalysis({ storage, analyzers, bus, workspaceId: 'ws_1', signal: controller.signal });
 * for await (const p of job) log.info(p, 'reanalysis');
 * const result = await job.finished; // { status: 'done', reanalyzed: 1234, … }
 */
export function startReanalysis(options: ReanalysisOptions): ReanalysisJob {
  const batchSize = Math.floor(options.batchSize ?? 100);
  if (!(batchSize >= 1 && batchSize <= 1000)) throw invalid('batchSize', 'must be an integer from 1 to 1000');
  const concurrency = Math.floor(options.concurrency ?? 4);
  if (!(concurrency >= 1)) throw invalid('concurrency', 'must be at least 1');
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) throw invalid('ratePerSecond', 'must be positive');
  if (options.analyzers.length === 0) throw invalid('analyzers', 'needs at least one analyzer');

  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const sourceIds = options.sourceIds && options.sourceIds.length > 0 ? [...options.sourceIds] : undefined;
  const jobId = reanalysisJobId(options.analyzers, sourceIds);
  const progress: ReanalysisProgress = { jobId, workspaceId: null, scanned: 0, reanalyzed: 0, skipped: 0, failed: 0, done: false, status: 'running', busyWorkspaces: [] };
  const feed = new ProgressFeed(progress, options.onProgress);

  const ctx: WalkContext = {
    storage: options.storage,
    analyzers: options.analyzers,
    bus: options.bus,
    clock,
    jobId,
    owner: `reanalysis-${randomUUID()}`,
    sourceIds,
    batchSize,
    concurrency,
    leaseTtlMs: options.leaseTtlMs ?? 60_000,
    restart: options.restart ?? false,
    signal,
    pace: pacer(clock, options.ratePerSecond, signal),
    progress,
    publish: () => feed.publish(progress),
  };

  const run = async (): Promise<ReanalysisProgress> => {
    try {
      const workspaces = options.workspaceId ? [options.workspaceId] : await listWorkspaces(options.storage);
      for (const workspaceId of workspaces) {
        const outcome = await walkWorkspace(ctx, workspaceId);
        if (outcome === 'busy') progress.busyWorkspaces.push(workspaceId);
        if (outcome === 'aborted') {
          progress.status = 'aborted';
          break;
        }
      }
      if (progress.status === 'running') {
        progress.done = progress.busyWorkspaces.length === 0;
        progress.status = progress.done ? 'done' : 'busy';
      }
    } catch (error) {
      progress.status = 'failed';
      progress.lastError = { recordId: null, message: error instanceof Error ? error.message : String(error) };
    }
    feed.publish(progress, true);
    return feed.current();
  };

  // Started on a later tick, so a caller can attach to the job before its first batch.
  const finished = Promise.resolve().then(run);
  return {
    id: jobId,
    progress: () => feed.current(),
    finished,
    [Symbol.asyncIterator]: () => feed.iterate(),
  };
}

/** Every workspace id in the `workspaces` collection, page by page. */
async function listWorkspaces(storage: StorageAdapter): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.listDocuments('workspaces', GLOBAL_SCOPE, { limit: 1000, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/**
 * Hands out evenly spaced slots, `1000 / rate` ms apart, from the job's start. A slot is reserved
 * before waiting, so concurrent workers share the rate instead of each taking it whole.
 */
function pacer(clock: Clock, ratePerSecond: number | undefined, signal: AbortSignal): () => Promise<void> {
  if (ratePerSecond === undefined) return async () => undefined;
  const interval = 1000 / ratePerSecond;
  let nextSlot: number | null = null;
  return async () => {
    const now = clock.now();
    const slot = Math.max(nextSlot ?? now, now);
    nextSlot = slot + interval;
    if (slot > now) await clock.sleep(slot - now, signal).catch(() => undefined);
  };
}

function invalid(field: string, message: string) {
  return createError('reanalysis', 'validation', `${field} ${message}`, { issues: [{ path: field, message }] });
}
