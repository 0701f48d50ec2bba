import { createError, fromZodError } from '../errors/index.js';
import type { HandlerResult, QueueMessage } from '../queue/index.js';
import type { StageContext } from './context.js';
import type { DeliverJob, DestinationDefinition } from './types.js';

/**
 * Sends one message to one destination. The message is acknowledged only after the target accepted
 * it; a `Retry-After` from the target becomes the retry delay; a permanent refusal is dead-lettered
 * with the target's answer so it can be inspected and replayed.
 */
export function createDeliverHandler(ctx: StageContext) {
  return async (message: QueueMessage<DeliverJob>, signal: AbortSignal): Promise<HandlerResult> => {
    const { workspaceId, destinationId, message: outbound } = message.payload;
    const destination = await ctx.storage.getDocument<DestinationDefinition>('destinations', workspaceId, destinationId);
    if (!destination) return { action: 'dead-letter', reason: `destination ${destinationId} no longer exists` };
    const target = ctx.targets.get(destination.target);
    if (!target) return { action: 'dead-letter', reason: `no target named ${destination.target} is registered` };
    const config = target.configSchema.safeParse(destination.config);
    if (!config.success) throw fromZodError(target.name, 'destination config', config.error, ['config']);

    const started = ctx.clock.now();
    const result = await target.send(outbound, { config: config.data, signal: AbortSignal.any([signal, AbortSignal.timeout(ctx.deliveryTimeoutMs)]), fetch: ctx.fetch });
    const base = { target: target.name, messageId: outbound.id, idempotencyKey: outbound.idempotencyKey, status: result.status, attempt: message.attempt };
    if (result.ok) {
      ctx.bus.emit('delivery.succeeded', { ...base, durationMs: ctx.clock.now() - started });
      return { action: 'ack' };
    }
    const error = createError(target.name, 'target', `delivery failed${result.status ? ` with HTTP ${result.status}` : ''}: ${result.error ?? 'no detail'}`, { context: { destinationId, status: result.status } });
    ctx.bus.emit('delivery.failed', { ...base, error, willRetry: !result.permanent });
    if (result.permanent) return { action: 'dead-letter', reason: error.message };
    if (result.retryAfterMs !== undefined) {
      ctx.bus.emit('delivery.throttled', { target: target.name, waitMs: result.retryAfterMs, reason: 'retry_after' });
      return { action: 'retry', delayMs: result.retryAfterMs, reason: error.message };
    }
    throw error;
  };
}
