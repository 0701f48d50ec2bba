import { deferralDelay, deliveryAttempt, deliveryHistory, DEFERRAL_HEADERS, requeueDeferred } from '../dispatcher/deferral.js';
import type { StageName } from '../events/index.js';
import { isTributaryError, toError } from '../errors/index.js';
import type { HandlerResult, QueueMessage, Subscription } from '../queue/index.js';
import type { StageContext, StageSettings } from './context.js';
import { isEngineOutage } from './engine-outage.js';
import { traceIdOf } from './ids.js';

/** A stage's message handler. */
export type StageHandler<T> = (message: QueueMessage<T>, signal: AbortSignal) => Promise<HandlerResult>;

/** Header of a copy waiting for an engine: when its first wait began (ms since the epoch). */
export const WAITING_SINCE_HEADER = 'x-tributary-waiting-since';

const DEFAULT_MAX_ENGINE_WAIT_MS = 24 * 60 * 60 * 1000;
const DEFAULT_ENGINE_WAIT_CAP_MS = 30_000;

/** When the message's wait for an engine began, if its copy is already waiting. */
function waitingSince(message: QueueMessage): number | undefined {
  if (message.headers[DEFERRAL_HEADERS.copy] !== message.id) return undefined;
  const since = Number(message.headers[WAITING_SINCE_HEADER]);
  return Number.isFinite(since) && since > 0 ? since : undefined;
}

/**
 * Consumes a stage's topic with a handler, reporting on the bus. Errors are sorted here, once, for
 * every stage:
 * - invalid input is dead-lettered at once (retrying cannot fix it);
 * - the pipeline's own storage or queue unreachable ({@link isEngineOutage}) says nothing about the
 *   message: it goes back on its topic as a delayed copy (1 s, doubling up to `engineWaitCapMs`)
 *   that spends no attempt, for up to `maxEngineWaitMs`. Otherwise a database down for longer than
 *   the attempts' backoff would dead-letter every message in flight (bug 9 in docs/reliability.md);
 * - an error that names a wait (rate limits) is retried after that wait;
 * - anything else is retried with backoff until the attempt limit dead-letters it. Attempts count
 *   over all copies of a message, so waiting never resets the budget either.
 */
export function runStage<T extends { workspaceId?: string }>(ctx: StageContext, stage: StageName, handler: StageHandler<T>, settings: StageSettings = {}): Promise<Subscription> {
  const maxAttempts = settings.maxAttempts ?? 5;
  const maxEngineWaitMs = settings.maxEngineWaitMs ?? DEFAULT_MAX_ENGINE_WAIT_MS;
  const engineWaitCapMs = settings.engineWaitCapMs ?? DEFAULT_ENGINE_WAIT_CAP_MS;

  /** Sends the message back to wait for the engine; false when it has waited long enough, or cannot. */
  async function waitForEngine(message: QueueMessage<T>): Promise<boolean> {
    const now = ctx.clock.now();
    const since = waitingSince(message) ?? now;
    if (now - since >= maxEngineWaitMs) return false;
    const delayMs = deferralDelay(deliveryHistory(message).deferrals, engineWaitCapMs);
    try {
      await requeueDeferred(ctx.queue, message, delayMs, { [WAITING_SINCE_HEADER]: String(since) });
      return true;
    } catch {
      // The queue is down too: the queue's own redelivery (an attempt) is all that is left.
      return false;
    }
  }

  return ctx.queue.consume<T>(
    ctx.topics[stage],
    async (message, { signal }) => {
      const started = ctx.clock.now();
      const workspaceId = message.payload?.workspaceId;
      const traceId = traceIdOf(message.headers.traceparent);
      const attempt = deliveryAttempt(message);
      try {
        const result = await handler(message, signal);
        if (result && result.action !== 'ack') {
          const dead = result.action === 'dead-letter' || attempt >= maxAttempts;
          const reason = result.reason ?? 'retry requested';
          ctx.bus.emit('stage.failed', { stage, messageId: message.id, workspaceId, error: new Error(reason), attempt, willRetry: !dead, traceId });
          if (dead) ctx.bus.emit('message.dead_lettered', { topic: ctx.topics[stage], messageId: message.id, reason, workspaceId });
          return dead ? { action: 'dead-letter', reason } : result;
        }
        ctx.bus.emit('stage.completed', { stage, messageId: message.id, workspaceId, durationMs: ctx.clock.now() - started, traceId });
        return result;
      } catch (thrown) {
        const error = toError(thrown);
        if (isEngineOutage(error) && !signal.aborted && (await waitForEngine(message))) {
          ctx.bus.emit('stage.failed', { stage, messageId: message.id, workspaceId, error, attempt, willRetry: true, traceId, waitingForEngine: true });
          return { action: 'ack' };
        }
        const permanent = isTributaryError(error) && (error.code === 'validation' || error.code === 'not_found' || error.code === 'config');
        const willRetry = !permanent && attempt < maxAttempts;
        ctx.bus.emit('stage.failed', { stage, messageId: message.id, workspaceId, error, attempt, willRetry, traceId });
        if (!willRetry) ctx.bus.emit('message.dead_lettered', { topic: ctx.topics[stage], messageId: message.id, reason: error.message, workspaceId });
        if (!willRetry) return { action: 'dead-letter', reason: error.message };
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
