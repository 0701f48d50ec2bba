import { systemClock, type Clock } from '../clock/index.js';
import type { FetchFunction } from '../connector/index.js';
import { toError } from '../errors/index.js';
import { createEventBus, type EventBus, type TributaryEvents } from '../events/index.js';
import { backoffDelay, type HandlerResult } from '../queue/index.js';
import type { AnyTarget, DeliveryResult, OutboundMessage } from '../target/index.js';
import { createLocalLimiter, type RateLimit, type RateLimiter } from './limiter.js';

/** Where one message goes: a target with its config and hard limit. */
export interface DispatchTarget {
  /** Names the target for the limiter and metrics; every process sending to it must use the same key. */
  key: string;
  target: AnyTarget;
  config: unknown;
  rateLimit: RateLimit;
  /** Requests in flight to this target at once, in this process. @default 4 */
  concurrency?: number;
}

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  /** @default an in-process token bucket ({@link createLocalLimiter}) */
  limiter?: RateLimiter;
  clock?: Clock;
  bus?: EventBus<TributaryEvents>;
  fetch?: FetchFunction;
  /** Per-request timeout; a slower answer is a failure. @default 5000 */
  timeoutMs?: number;
  /**
   * How long one delivery may wait inside the handler for the limiter or a paused target before it is
   * handed back to the queue with a delay. Keep it well under the queue's visibility timeout.
   * @default 30000
   */
  maxWaitMs?: number;
  /** Consecutive failures after which the whole target is paused (circuit open). @default 5 */
  failureThreshold?: number;
  /**
   * Longest delay before a failed message is tried again. Messages overtake one another only through
   * retries, so this bounds how far out of order deliveries can be. @default 60000
   */
  reorderWindowMs?: number;
  /** Pause after a 429 without `Retry-After`. @default 1000 */
  defaultThrottleMs?: number;
  /**
   * Tokens of the burst kept in reserve. Requests paced at exactly the target's rate arrive with
   * network and event-loop jitter, bunched: an early arrival finds the target's bucket short, and the
   * 429 that follows costs a whole `Retry-After` pause. Spare tokens absorb that at no cost in
   * sustained rate. With a burst of 1 there is nothing to spare, so the rate is lowered by 5% instead.
   * @default a quarter of the burst, at least 1
   */
  headroomTokens?: number;
}

/** The limit the dispatcher paces to: the target's, less the jitter headroom. */
export function pacedLimit(limit: RateLimit, headroomTokens?: number): RateLimit {
  const burst = limit.burst ?? 1;
  headroomTokens ??= Math.max(1, Math.ceil(burst / 4));
  if (headroomTokens <= 0) return limit;
  if (burst > headroomTokens) return { perSecond: limit.perSecond, burst: burst - headroomTokens };
  return { perSecond: limit.perSecond * 0.95, burst: 1 };
}

/** Counters of one target. */
export interface TargetMetrics {
  requests: number;
  delivered: number;
  failed: number;
  /** 429 answers. */
  throttled: number;
  deadLettered: number;
  /** Requests in flight now. */
  inFlight: number;
  /** Whether the target is paused (circuit open or Retry-After). */
  pausedUntil: number;
}

/** Delivers messages to targets within their limits. */
export interface Dispatcher {
  /**
   * Delivers one message and says what the queue should do with it: `ack` only when the target
   * accepted it, `retry` with a delay, or `dead-letter` for a permanent refusal or the last attempt.
   */
  dispatch(destination: DispatchTarget, message: OutboundMessage, context: { attempt: number; maxAttempts: number; signal: AbortSignal }): Promise<Exclude<HandlerResult, void>>;
  metrics(): Record<string, TargetMetrics>;
  dispose(): Promise<void>;
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async enter(): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** Creates a dispatcher. */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const clock = options.clock ?? systemClock;
  const limiter = options.limiter ?? createLocalLimiter({ clock });
  const bus = options.bus ?? createEventBus();
  const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const failureThreshold = options.failureThreshold ?? 5;
  const reorderWindowMs = options.reorderWindowMs ?? 60_000;
  const defaultThrottleMs = options.defaultThrottleMs ?? 1000;
  const headroomTokens = options.headroomTokens;
  const state = new Map<string, { metrics: TargetMetrics; gate: Semaphore; consecutiveFailures: number; openings: number }>();

  const stateOf = (d: DispatchTarget) => {
    let s = state.get(d.key);
    if (!s) {
      s = { metrics: { requests: 0, delivered: 0, failed: 0, throttled: 0, deadLettered: 0, inFlight: 0, pausedUntil: 0 }, gate: new Semaphore(d.concurrency ?? 4), consecutiveFailures: 0, openings: 0 };
      state.set(d.key, s);
    }
    return s;
  };

  const pauseTarget = async (d: DispatchTarget, ms: number, reason: 'rate_limit' | 'retry_after' | 'circuit_open') => {
    const s = stateOf(d);
    s.metrics.pausedUntil = Math.max(s.metrics.pausedUntil, clock.now() + ms);
    await limiter.pause(d.key, ms);
    bus.emit('delivery.throttled', { target: d.key, waitMs: ms, reason });
  };

  /** An abort signal that fires after `ms` on the dispatcher's clock, or when `parent` aborts. */
  const deadline = (parent: AbortSignal, ms: number) => {
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(Object.assign(new Error(`timed out after ${ms} ms`), { name: 'TimeoutError' })), ms);
    const signal = AbortSignal.any([parent, controller.signal]);
    return { signal, done: () => clock.clearTimeout(timer) };
  };

  const send = async (d: DispatchTarget, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> => {
    const limit = deadline(signal, timeoutMs);
    try {
      // Race the target against the deadline: a target that ignores its signal still times out.
      return await Promise.race([
        d.target.send(message, { config: d.config, signal: limit.signal, fetch }),
        new Promise<never>((_, reject) => limit.signal.addEventListener('abort', () => reject(limit.signal.reason), { once: true })),
      ]);
    } catch (error) {
      if (signal.aborted) throw toError(signal.reason);
      const e = toError(error);
      return { ok: false, error: e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : e.message };
    } finally {
      limit.done();
    }
  };

  return {
    async dispatch(d, message, { attempt, maxAttempts, signal }) {
      const s = stateOf(d);
      const waitLimit = deadline(signal, maxWaitMs);
      const waitBudget = waitLimit.signal;
      const base = { target: d.key, messageId: message.id, idempotencyKey: message.idempotencyKey, attempt };
      try {
        for (;;) {
          // The concurrency slot first, then the token: a token taken while waiting for a slot would
          // be spent later in a bunch with others, and the target would see a burst.
          await s.gate.enter();
          try {
            await limiter.acquire(d.key, pacedLimit(d.rateLimit, headroomTokens), { signal: waitBudget });
          } catch {
            s.gate.leave();
            if (signal.aborted) throw toError(signal.reason);
            // Waited as long as a handler should; let the queue hold the message meanwhile.
            return { action: 'retry', delayMs: Math.max(1000, s.metrics.pausedUntil - clock.now()), reason: 'target paused or rate budget exhausted' };
          }
          s.metrics.inFlight++;
          s.metrics.requests++;
          const started = clock.now();
          let result: DeliveryResult;
          try {
            result = await send(d, message, signal);
          } finally {
            s.metrics.inFlight--;
            s.gate.leave();
          }
          if (result.budget) await limiter.observe(d.key, pacedLimit(d.rateLimit, headroomTokens), result.budget);
  
          if (result.status === 429) {
            // A 429 pauses the whole target and does not count against this message's attempts.
            s.metrics.throttled++;
            await pauseTarget(d, result.retryAfterMs ?? defaultThrottleMs, result.retryAfterMs !== undefined ? 'retry_after' : 'rate_limit');
            continue;
          }
          if (result.ok) {
            s.metrics.delivered++;
            s.consecutiveFailures = 0;
            s.openings = 0;
            bus.emit('delivery.succeeded', { ...base, status: result.status, durationMs: clock.now() - started });
            return { action: 'ack' };
          }
  
          s.metrics.failed++;
          const reason = `${d.target.name} refused: ${result.status ? `HTTP ${result.status}` : 'no response'}${result.error ? ` (${result.error})` : ''}`;
          const last = result.permanent || attempt >= maxAttempts;
          bus.emit('delivery.failed', { ...base, status: result.status, error: new Error(reason), willRetry: !last });
          if (last) {
            s.metrics.deadLettered++;
            return { action: 'dead-letter', reason };
          }
          s.consecutiveFailures++;
          if (result.retryAfterMs !== undefined) await pauseTarget(d, result.retryAfterMs, 'retry_after');
          else if (s.consecutiveFailures >= failureThreshold) {
            // The target itself looks down: stop sending to it for a while instead of burning every
            // message's attempts against it.
            s.openings++;
            await pauseTarget(d, Math.min(60_000, 1000 * 2 ** (s.openings - 1)), 'circuit_open');
          }
          return { action: 'retry', delayMs: Math.min(reorderWindowMs, Math.max(result.retryAfterMs ?? 0, backoffDelay(attempt, 500, reorderWindowMs))), reason };
        }
      } finally {
        waitLimit.done();
      }
    },
    metrics() {
      return Object.fromEntries([...state].map(([k, s]) => [k, { ...s.metrics }]));
    },
    async dispose() {
      await limiter.dispose();
    },
  };
}
