import { createError, toError } from '../errors/index.js';
import type { HandlerResult, QueueMessage } from '../queue/index.js';
import { publishBatch } from '../queue/index.js';
import { buildRecord } from '../record/build.js';
import { rawPayloadId } from '../record/ids.js';
import type { TributaryRecord } from '../record/schema.js';
import type { RawPayload } from '../storage/index.js';
import type { StageContext } from './context.js';
import { chunkByBytes } from './chunk.js';
import { childTraceparent } from './ids.js';
import { redactionFor } from './redaction.js';
import type { AnalyzeJob, ParseJob } from './types.js';

/**
 * Keeps the raw payloads, then parses each item into records. An item that fails to parse is
 * reported and skipped — it never holds back the good items of the same batch — and its raw payload
 * stays stored, so it can be parsed again once the connector is fixed.
 */
export function createParseHandler(ctx: StageContext) {
  return async (message: QueueMessage<ParseJob>): Promise<HandlerResult> => {
    const job = message.payload;
    const { workspaceId, sourceId } = job;
    const { connector, config } = await ctx.sources.resolve(workspaceId, sourceId);
    if (!connector.parse) throw createError('parse', 'config', `connector ${connector.name} has no parse()`);

    const redaction = redactionFor(ctx.redaction, workspaceId, sourceId);
    // Items merged from several ingest calls may each have their own arrival time.
    const receivedAtOf = (index: number) => job.itemsReceivedAt?.[index] ?? job.receivedAt;
    const raws: RawPayload[] = job.items.map((item, index) => ({
      id: rawPayloadId(workspaceId, sourceId, item.externalId, item.payload),
      workspaceId,
      sourceId,
      externalId: item.externalId,
      itemType: item.itemType,
      connector: job.connector,
      payload: item.payload,
      receivedAt: receivedAtOf(index),
    }));
    // The id stays derived from the original payload; only what is kept is redacted.
    await ctx.storage.putRawPayloads(redaction?.raw ? raws.map((r) => ({ ...r, payload: redaction.raw!(r.payload) })) : raws);

    const records: TributaryRecord[] = [];
    const parsedAt = new Date(ctx.clock.now()).toISOString();
    for (const [index, item] of job.items.entries()) {
      try {
        const drafts = await connector.parse(item, { workspaceId, sourceId, config });
        for (const draft of drafts) {
          records.push(buildRecord(draft, { workspaceId, sourceId, connector: job.connector, rawId: raws[index]!.id, receivedAt: receivedAtOf(index), parsedAt }));
        }
      } catch (error) {
        ctx.bus.emit('record.rejected', { workspaceId, sourceId, externalId: item.externalId, error: toError(error) });
      }
    }
    if (records.length > 0) {
      const batches = chunkByBytes(records, ctx.maxMessageBytes).map((batch) => ({
        payload: { workspaceId, sourceId, records: batch } satisfies AnalyzeJob,
        options: { headers: { traceparent: childTraceparent(message.headers.traceparent), 'x-workspace-id': workspaceId } },
      }));
      await publishBatch(ctx.queue, ctx.topics.analyze, batches);
    }
    return { action: 'ack' };
  };
}
