import type { StageName } from '../events/index.js';
import { isTributaryError, toError } from '../errors/index.js';
import type { HandlerResult, QueueMessage, Subscription } from '../queue/index.js';
import type { StageContext, StageSettings } from './context.js';
import { traceIdOf } from './ids.js';

/** A stage's message handler. */
export type StageHandler<T> = (message: QueueMessage<T>, signal: AbortSignal) => Promise<HandlerResult>;

/**
 * Consumes a stage's topic with a handler, reporting on the bus. Errors are sorted here, once, for
 * every stage: invalid input is dead-lettered at once (retrying cannot fix it); an error that names
 * a wait (rate limits) is retried after that wait; anything else is retried with backoff until the
 * queue's attempt limit dead-letters it.
 */
export function runStage<T extends { workspaceId?: string }>(ctx: StageContext, stage: StageName, handler: StageHandler<T>, settings: StageSettings = {}): Promise<Subscription> {
  const maxAttempts = settings.maxAttempts ?? 5;
  return ctx.queue.consume<T>(
    ctx.topics[stage],
    async (message, { signal }) => {
      const started = ctx.clock.now();
      const workspaceId = message.payload?.workspaceId;
      const traceId = traceIdOf(message.headers.traceparent);
      try {
        const result = await handler(message, signal);
        if (result && result.action !== 'ack') {
          const dead = result.action === 'dead-letter' || message.attempt >= maxAttempts;
          const reason = result.reason ?? 'retry requested';
          ctx.bus.emit('stage.failed', { stage, messageId: message.id, workspaceId, error: new Error(reason), attempt: message.attempt, willRetry: !dead, traceId });
          if (dead) ctx.bus.emit('message.dead_lettered', { topic: ctx.topics[stage], messageId: message.id, reason, workspaceId });
          return result;
        }
        ctx.bus.emit('stage.completed', { stage, messageId: message.id, workspaceId, durationMs: ctx.clock.now() - started, traceId });
        return result;
      } catch (thrown) {
        const error = toError(thrown);
        const permanent = isTributaryError(error) && (error.code === 'validation' || error.code === 'not_found' || error.code === 'config');
        const willRetry = !permanent && message.attempt < maxAttempts;
        ctx.bus.emit('stage.failed', { stage, messageId: message.id, workspaceId, error, attempt: message.attempt, willRetry, traceId });
        if (!willRetry) ctx.bus.emit('message.dead_lettered', { topic: ctx.topics[stage], messageId: message.id, reason: error.message, workspaceId });
        if (permanent) return { action: 'dead-letter', reason: error.message };
        if (isTributaryError(error) && error.retryAfterMs !== undefined) return { action: 'retry', delayMs: error.retryAfterMs, reason: error.message };
        throw error;
      }
    },
    {
      group: `tributary-${stage}`,
      concurrency: settings.concurrency,
      maxAttempts,
      visibilityTimeoutMs: settings.visibilityTimeoutMs,
    },
  );
}
