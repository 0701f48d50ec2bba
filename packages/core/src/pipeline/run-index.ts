import type { Page, StorageAdapter } from '../storage/index.js';
import type { RunRecord } from './types.js';

/** Collection of the run index; one scope per source, `<workspace>/<source>`. */
export const SOURCE_RUNS = 'source-runs';
/** Collection of the run documents themselves; scope: the workspace. */
export const RUNS = 'runs';

/**
 * The index documents' ids sort ascending in every store: inverting the request time makes the
 * newest run come first. Fixed width (11 base-36 digits), so the order is the string order.
 */
const newestFirst = (ms: number) => (Number.MAX_SAFE_INTEGER - ms).toString(36).padStart(11, '0');
const scopeOf = (workspaceId: string, sourceId: string) => `${workspaceId}/${sourceId}`;

/**
 * The runs of each source, newest first, listed in pages without scanning a workspace's runs: every
 * run queued through the pipeline gets an entry `{ runId }` under its source, keyed by its request
 * time. This is the layout the reference server kept before the index moved into core, so indexes it
 * wrote are read as they are.
 */
export interface RunIndex {
  /** Indexes a run under its source (idempotent for one run). */
  add(run: Pick<RunRecord, 'id' | 'workspaceId' | 'sourceId' | 'requestedAt'>): Promise<void>;
  /** A page of a source's runs, newest first. */
  list(workspaceId: string, sourceId: string, options?: { limit?: number; cursor?: string }): Promise<Page<RunRecord>>;
  /** Drops the index of a deleted source (its run documents stay, reachable by id). */
  forget(workspaceId: string, sourceId: string): Promise<void>;
  /**
   * A one-off migration: indexes the workspace's runs that have no entry yet (runs queued by
   * `pipeline.trigger` before it kept this index). Scans the workspace's runs once; idempotent.
   * Returns how many runs it indexed.
   */
  reindex(workspaceId: string): Promise<number>;
}

/** Creates the run index on a store. */
export function createRunIndex(storage: StorageAdapter): RunIndex {
  const index: RunIndex = {
    async add(run) {
      const id = `${newestFirst(Date.parse(run.requestedAt))}~${run.id}`;
      await storage.putDocument(SOURCE_RUNS, scopeOf(run.workspaceId, run.sourceId), id, { runId: run.id });
    },

    async list(workspaceId, sourceId, options = {}) {
      const page = await storage.listDocuments<{ runId: string }>(SOURCE_RUNS, scopeOf(workspaceId, sourceId), options);
      const runs = await Promise.all(page.items.map((i) => storage.getDocument<RunRecord>(RUNS, workspaceId, i.document.runId)));
      // An entry whose run document is gone (written just before a crash, or removed by hand) is skipped.
      return { items: runs.filter((r): r is RunRecord => r !== null), nextCursor: page.nextCursor };
    },

    async forget(workspaceId, sourceId) {
      const scope = scopeOf(workspaceId, sourceId);
      for (;;) {
        const page = await storage.listDocuments(SOURCE_RUNS, scope, { limit: 1000 });
        if (page.items.length === 0) return;
        await Promise.all(page.items.map((i) => storage.deleteDocument(SOURCE_RUNS, scope, i.id)));
      }
    },

    async reindex(workspaceId) {
      const indexed = new Map<string, Set<string>>();
      const indexedRunsOf = async (sourceId: string) => {
        let runIds = indexed.get(sourceId);
        if (runIds) return runIds;
        runIds = new Set();
        for (let cursor: string | undefined, first = true; first || cursor; first = false) {
          const page = await storage.listDocuments<{ runId: string }>(SOURCE_RUNS, scopeOf(workspaceId, sourceId), { limit: 1000, cursor });
          for (const i of page.items) runIds.add(i.document.runId);
          cursor = page.nextCursor ?? undefined;
        }
        indexed.set(sourceId, runIds);
        return runIds;
      };
      let added = 0;
      for (let cursor: string | undefined, first = true; first || cursor; first = false) {
        const page = await storage.listDocuments<RunRecord>(RUNS, workspaceId, { limit: 1000, cursor });
        for (const { document: run } of page.items) {
          const runIds = await indexedRunsOf(run.sourceId);
          if (runIds.has(run.id)) continue;
          await index.add(run);
          runIds.add(run.id);
          added++;
        }
        cursor = page.nextCursor ?? undefined;
      }
      return added;
    },
  };
  return index;
}
