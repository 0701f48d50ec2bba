import { analyzeRecord, analyzedBy } from '../analysis/index.js';
import { deliveryHistory } from '../dispatcher/deferral.js';
import type { HandlerResult, QueueMessage } from '../queue/index.js';
import type { TributaryRecord } from '../record/schema.js';
import type { UpsertOutcome } from '../storage/index.js';
import type { StageContext } from './context.js';
import { childTraceparent } from './ids.js';
import { redactionFor } from './redaction.js';
import type { AnalyzeJob, ReportJob } from './types.js';

/**
 * Analyzes and stores records. An item already stored with the same content and analyzed by the same
 * analyzer versions costs one read and no analysis (duplicates are the common case with lookback
 * overlaps and redeliveries); same content with newer analyzers only refreshes the analysis.
 */
export function createAnalyzeHandler(ctx: StageContext) {
  return async (message: QueueMessage<AnalyzeJob>, signal: AbortSignal): Promise<HandlerResult> => {
    const { workspaceId, sourceId, records } = message.payload;
    const toStore: TributaryRecord[] = [];
    const unchanged: UpsertOutcome[] = [];
    const now = () => new Date(ctx.clock.now());
    const redaction = redactionFor(ctx.redaction, workspaceId, sourceId);
    for (const record of records) {
      const existing = await ctx.storage.getRecord(workspaceId, record.id);
      if (existing && existing.contentHash === record.contentHash) {
        if (!analyzedBy(existing, ctx.analyzers)) {
          const started = ctx.clock.now();
          const refreshed = await analyzeRecord(existing, ctx.analyzers, { signal, now });
          await ctx.storage.updateAnalysis(workspaceId, existing.id, existing.contentHash, refreshed.analysis, refreshed.provenance);
          ctx.bus.emit('record.analyzed', { workspaceId, recordId: existing.id, analyzers: ctx.analyzers.map((a) => a.name), durationMs: ctx.clock.now() - started });
        }
        unchanged.push({ id: existing.id, status: 'unchanged', revision: existing.revision });
        continue;
      }
      const started = ctx.clock.now();
      const analyzed = await analyzeRecord(record, ctx.analyzers, { signal, now });
      toStore.push(redaction ? redaction.record(analyzed) : analyzed);
      ctx.bus.emit('record.analyzed', { workspaceId, recordId: record.id, analyzers: ctx.analyzers.map((a) => a.name), durationMs: ctx.clock.now() - started });
    }
    const outcomes = toStore.length > 0 ? await ctx.storage.upsertRecords(toStore) : [];
    for (const o of [...outcomes, ...unchanged]) {
      ctx.bus.emit('record.stored', { workspaceId, sourceId, recordId: o.id, status: o.status, revision: o.revision });
    }
    // On a redelivery an earlier attempt may have stored these records and died before handing them
    // on, so what now looks unchanged is reported again. Reports derive message ids from the record
    // revision, so downstream sees the same messages, not new ones.
    // A copy that waited for an engine (attempt 1 again) may follow such an attempt too.
    const redelivered = message.attempt > 1 || deliveryHistory(message).deferrals > 0;
    const again = redelivered ? unchanged.map((o) => ({ ...o, status: o.revision === 1 ? ('created' as const) : ('updated' as const) })) : [];
    const changes = [...outcomes.filter((o) => o.status === 'created' || o.status === 'updated'), ...again];
    if (changes.length > 0) {
      await ctx.queue.publish<ReportJob>(ctx.topics.report, { workspaceId, sourceId, changes }, { headers: { traceparent: childTraceparent(message.headers.traceparent), 'x-workspace-id': workspaceId } });
    }
    return { action: 'ack' };
  };
}
