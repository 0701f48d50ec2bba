/**
 * @module runs
 * Every pull this server queues (sync route, schedule, thin webhook) goes through {@link RunIndex.trigger},
 * which also indexes the run under its source, newest first, so a source's runs list in pages without
 * scanning the workspace's runs. The runs themselves stay the pipeline's documents (`runs`).
 */
import type { FetchJob, Pipeline, RunRecord } from '@tributary/core/pipeline';
import type { Page } from '@tributary/core/storage';

/** Document collection of the index; scope `<workspace>/<source>`. */
export const SOURCE_RUNS = 'source-runs';

// Ids sort ascending in the store: inverting the time lists the newest first.
const newestFirst = (ms: number) => (Number.MAX_SAFE_INTEGER - ms).toString(36).padStart(11, '0');
const scope = (workspaceId: string, sourceId: string) => `${workspaceId}/${sourceId}`;

/** Runs of sources. */
export interface RunIndex {
  /** Queues a pull (`pipeline.trigger`) and indexes it under its source. */
  trigger(workspaceId: string, sourceId: string, options?: { trigger?: FetchJob['trigger'] }): Promise<{ runId: string }>;
  /** A source's runs, newest first. */
  list(workspaceId: string, sourceId: string, options: { limit: number; cursor?: string }): Promise<Page<RunRecord>>;
  /** Drops the index of a deleted source. */
  forget(workspaceId: string, sourceId: string): Promise<void>;
}

/** Creates the run index on the pipeline's storage. */
export function createRunIndex(pipeline: Pick<Pipeline, 'storage' | 'trigger'>, now: () => number = Date.now): RunIndex {
  const { storage } = pipeline;
  return {
    async trigger(workspaceId, sourceId, options = {}) {
      const result = await pipeline.trigger(workspaceId, sourceId, options);
      await storage.putDocument(SOURCE_RUNS, scope(workspaceId, sourceId), `${newestFirst(now())}~${result.runId}`, { runId: result.runId });
      return result;
    },
    async list(workspaceId, sourceId, options) {
      const page = await storage.listDocuments<{ runId: string }>(SOURCE_RUNS, scope(workspaceId, sourceId), options);
      const runs = await Promise.all(page.items.map((i) => pipeline.storage.getDocument<RunRecord>('runs', workspaceId, i.document.runId)));
      return { items: runs.filter((r): r is RunRecord => r !== null), nextCursor: page.nextCursor };
    },
    async forget(workspaceId, sourceId) {
      for (;;) {
        const page = await storage.listDocuments(SOURCE_RUNS, scope(workspaceId, sourceId), { limit: 1000 });
        if (page.items.length === 0) return;
        await Promise.all(page.items.map((i) => storage.deleteDocument(SOURCE_RUNS, scope(workspaceId, sourceId), i.id)));
      }
    },
  };
}
