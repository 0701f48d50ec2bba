import type { HandlerResult, QueueMessage } from '../queue/index.js';
import { publishBatch } from '../queue/index.js';
import type { OutboundMessage } from '../target/index.js';
import type { StageContext } from './context.js';
import { childTraceparent } from './ids.js';
import type { DeliverJob, DestinationDefinition, ReportJob } from './types.js';

/** Lists the enabled destinations of a workspace. */
export async function listDestinations(ctx: Pick<StageContext, 'storage'>, workspaceId: string): Promise<DestinationDefinition[]> {
  const out: DestinationDefinition[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.storage.listDocuments<DestinationDefinition>('destinations', workspaceId, { limit: 1000, cursor });
    out.push(...page.items.map((i) => i.document));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out.filter((d) => d.enabled);
}

function accepts(destination: DestinationDefinition, message: OutboundMessage, sourceId: string): boolean {
  const f = destination.filter;
  if (!f) return true;
  if (f.types && f.types.length > 0 && !f.types.includes(message.type)) return false;
  if (f.sourceIds && f.sourceIds.length > 0 && !f.sourceIds.includes(sourceId)) return false;
  return true;
}

/**
 * Runs the reporters over stored changes and fans their messages out to destinations. Message ids are
 * derived from the record revision, so a redelivered report job publishes the same ids again and
 * deduplicating queues and idempotent targets see one message.
 */
export function createReportHandler(ctx: StageContext) {
  return async (message: QueueMessage<ReportJob>): Promise<HandlerResult> => {
    const { workspaceId, sourceId, changes } = message.payload;
    const outbound: OutboundMessage[] = [];
    for (const change of changes) {
      const record = await ctx.storage.getRecord(workspaceId, change.id);
      if (!record) continue;
      for (const reporter of ctx.reporters) {
        outbound.push(...(await reporter.report({ workspaceId, record, change, storage: ctx.storage, clock: ctx.clock })));
      }
    }
    if (outbound.length === 0) return { action: 'ack' };
    const destinations = await listDestinations(ctx, workspaceId);
    const jobs = destinations.flatMap((destination) =>
      outbound
        .filter((m) => accepts(destination, m, sourceId))
        .map((m) => ({
          payload: { workspaceId, destinationId: destination.id, message: m } satisfies DeliverJob,
          options: { id: `${m.idempotencyKey}@${destination.id}`, headers: { traceparent: childTraceparent(message.headers.traceparent), 'x-workspace-id': workspaceId, 'idempotency-key': m.idempotencyKey } },
        })),
    );
    await publishBatch(ctx.queue, ctx.topics.deliver, jobs);
    return { action: 'ack' };
  };
}
