/**
 * @module ingest/records
 * What `POST /v1/workspaces/:ws/records` does with a parsed body, free of any HTTP framework: both
 * the Hono route and the node:http fast path call it, so they cannot drift. Each entry is checked on
 * its own (nesting depth, then its schema): bad entries are listed in `rejected` with their index
 * and fields while the good ones of the same request are enqueued; with none good the answer is a
 * 400 naming every problem.
 */
import type { RawItem } from '@tributary/core/connector';
import { createError, isTributaryError, type FieldIssue } from '@tributary/core/errors';
import { findJsonDepthExcess, jsonDepthMessage } from '@tributary/core/json';
import type { IngestOptions, Pipeline } from '@tributary/core/pipeline';
import { API_CONNECTOR_NAME, API_SOURCE_ID, MAX_RECORDS_PER_REQUEST, entriesOf, entryToItem } from '../api-records.js';
import type { ServerMetrics } from '../metrics.js';

/** The 202 answer of the records API. */
export interface RecordsAccepted {
  accepted: number;
  ids: string[];
  rejected?: { index: number; issues: FieldIssue[] }[];
}

/** Options of {@link createRecordsIngest}. */
export interface RecordsIngestOptions {
  pipeline: Pick<Pipeline, 'ingest' | 'sources'>;
  metrics: Pick<ServerMetrics, 'recordsAccepted'>;
  /** Deepest nesting of the whole body (a batch's entries get two levels less: `records` and its array). */
  maxJsonDepth: number;
}

/**
 * Ingests one parsed records body into a workspace; `bodyBytes`, the body's length when known, spares
 * a lone record a serialization to measure it.
 * @throws TributaryError `validation` (400) when nothing is valid
 */
export type RecordsIngest = (workspaceId: string, body: unknown, bodyBytes?: number) => Promise<RecordsAccepted>;

const tooDeep = (maxDepth: number, path: string): FieldIssue => ({ path, message: jsonDepthMessage(maxDepth) });

/**
 * Refuses a body nested past the limit outside its entries (a lone record is the body itself).
 * Entries of a batch are checked one by one by the caller, so one deep entry costs only itself.
 */
function checkOuterDepth(body: unknown, batch: boolean, maxDepth: number): void {
  if (!batch) {
    const excess = findJsonDepthExcess(body, maxDepth);
    if (excess) throw bodyTooDeep(maxDepth, excess.path);
    return;
  }
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === 'records' && Array.isArray(value)) continue;
    const excess = findJsonDepthExcess(value, maxDepth - 1);
    if (excess) throw bodyTooDeep(maxDepth, excess.path ? `${key}.${excess.path}` : key);
  }
}

/** The error of a body nested past the limit at `path`. */
function bodyTooDeep(maxDepth: number, path: string) {
  return createError('api', 'validation', `request body is ${jsonDepthMessage(maxDepth)} (at ${path || 'the root'})`, { issues: [tooDeep(maxDepth, path)] });
}

/** Creates the records ingest of a server. */
export function createRecordsIngest(options: RecordsIngestOptions): RecordsIngest {
  const { pipeline, metrics, maxJsonDepth } = options;
  const acceptedSeries = metrics.recordsAccepted.series({ route: 'records' });

  /** Enqueues into the workspace's `api` source, creating it on first use. */
  const enqueue = async (workspaceId: string, items: RawItem[], options: IngestOptions) => {
    try {
      return await pipeline.ingest(workspaceId, API_SOURCE_ID, items, options);
    } catch (error) {
      if (!isTributaryError(error, 'not_found')) throw error;
      await pipeline.sources.create(workspaceId, { id: API_SOURCE_ID, name: 'Records API', connector: API_CONNECTOR_NAME, check: false });
      return pipeline.ingest(workspaceId, API_SOURCE_ID, items, options);
    }
  };

  return async (workspaceId, body, bodyBytes) => {
    const { entries, batch } = entriesOf(body);
    checkOuterDepth(body, batch, maxJsonDepth);
    if (batch && entries.length === 0) throw createError('api', 'validation', 'records is empty', { issues: [{ path: 'records', message: 'needs at least one record' }] });
    if (entries.length > MAX_RECORDS_PER_REQUEST) {
      throw createError('api', 'validation', `at most ${MAX_RECORDS_PER_REQUEST} records per request`, { issues: [{ path: 'records', message: `at most ${MAX_RECORDS_PER_REQUEST} records` }] });
    }
    const entryDepth = batch ? maxJsonDepth - 2 : maxJsonDepth;
    const items: RawItem[] = [];
    const rejected: { index: number; issues: FieldIssue[] }[] = [];
    // A loop, not forEach: no closure per request (bench/README.md, "Ingest").
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      // Before the schema: validators and everything after them recurse, and overflow thousands of levels down.
      const excess = batch ? findJsonDepthExcess(entry, entryDepth) : null;
      if (excess) {
        rejected.push({ index, issues: [tooDeep(entryDepth, excess.path)] });
        continue;
      }
      const result = entryToItem(entry);
      if (result.ok) items.push(result.item);
      else rejected.push({ index, issues: result.issues });
    }
    if (items.length === 0) {
      const issues = rejected.flatMap((r) => r.issues.map((i) => ({ path: [batch ? `records.${r.index}` : '', i.path].filter(Boolean).join('.'), message: i.message })));
      throw createError('api', 'validation', `no valid record (first problem: ${issues[0]?.path || 'body'}: ${issues[0]?.message})`, { issues });
    }
    // A lone record's item is about the body's size (its payload is the body).
    const { accepted, ids } = await enqueue(workspaceId, items, !batch && bodyBytes !== undefined ? { payloadBytes: bodyBytes } : {});
    acceptedSeries.inc(accepted);
    return { accepted, ids, ...(rejected.length > 0 ? { rejected } : {}) };
  };
}
