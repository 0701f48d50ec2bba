import { fromZodError } from '../errors/index.js';
import type { RateLimit } from '../dispatcher/limiter.js';
import { dispatchQueued } from '../dispatcher/queued.js';
import type { HandlerResult, QueueMessage } from '../queue/index.js';
import type { StageContext } from './context.js';
import type { DeliverJob, DestinationDefinition } from './types.js';

/** The limit used for a destination that declares none: conservative, since most receivers have one. */
export const DEFAULT_DESTINATION_LIMIT: RateLimit = { perSecond: 10, burst: 10 };

/**
 * Sends one message to one destination through the dispatcher, which paces it within the
 * destination's limit and acknowledges only after the target accepted it. A message its destination
 * cannot take now (paused, failing, out of budget) goes back to the topic as a delayed copy instead
 * of holding one of the stage's slots, so one bad destination does not stall the others.
 */
export function createDeliverHandler(ctx: StageContext) {
  return async (message: QueueMessage<DeliverJob>, signal: AbortSignal): Promise<HandlerResult> => {
    const { workspaceId, destinationId, message: outbound } = message.payload;
    const destination = await ctx.storage.getDocument<DestinationDefinition>('destinations', workspaceId, destinationId);
    if (!destination) return { action: 'dead-letter', reason: `destination ${destinationId} no longer exists` };
    const target = ctx.targets.get(destination.target);
    if (!target) return { action: 'dead-letter', reason: `no target named ${destination.target} is registered` };
    // Secrets are bound to where the document was read from, not to ids written inside it.
    const config = target.configSchema.safeParse(ctx.destinations.openConfig(workspaceId, destinationId, target, destination.config));
    if (!config.success) throw fromZodError(target.name, 'destination config', config.error, ['config']);
    return dispatchQueued({
      queue: ctx.queue,
      dispatcher: ctx.dispatcher,
      message,
      destination: { key: `${workspaceId}:${destinationId}`, target, config: config.data, rateLimit: destination.rateLimit ?? DEFAULT_DESTINATION_LIMIT },
      outbound,
      maxAttempts: ctx.deliverMaxAttempts,
      signal,
    });
  };
}
