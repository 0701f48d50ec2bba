import { systemClock, type Clock } from '../clock/index.js';
import type { FetchFunction } from '../connector/index.js';
import { toError } from '../errors/index.js';
import { createEventBus, type EventBus, type TributaryEvents } from '../events/index.js';
import { backoffDelay, type HandlerResult } from '../queue/index.js';
import type { AnyTarget, DeliveryResult, OutboundMessage } from '../target/index.js';
import { raceAbort } from '../abort/race-abort.js';
import { linkedDeadline } from './deadline.js';
import { deferralDelay } from './deferral.js';
import { Gate } from './gate.js';
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
   * How long one delivery may wait inside the handler for a rate token or the end of a short pause
   * while it holds one of the consumer's slots (for a free request slot of a target not known to be
   * failing: `timeoutMs` more, since one frees within a timeout). Past it, or at once when the
   * target is paused for longer or failing with all its request slots busy, the
   * message is handed back (`defer`) without spending an attempt, so that one bad destination cannot
   * take every slot and stall the others. Keep it short: time waited here is a slot no other
   * destination can use.
   * @default 1000
   */
  maxWaitMs?: number;
  /** Consecutive failures after which the whole target is paused (circuit open). @default 5 */
  failureThreshold?: number;
  /**
   * Longest delay before a failed or deferred message is tried again (a pause announced by the target
   * may be longer). Messages overtake one another only through retries and deferrals, so this bounds
   * how far out of order deliveries can be. @default 60000
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
  /** Source of the jitter in deferral delays (tests pin it). @default Math.random */
  random?: () => number;
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
  /** Deliveries handed back unsent (target paused, busy or out of budget), costing no attempt. */
  deferred: number;
  /** Requests in flight now. */
  inFlight: number;
  /** Whether the target is paused (circuit open or Retry-After). */
  pausedUntil: number;
}

/** What {@link Dispatcher.dispatch} needs to know about the delivery. */
export interface DispatchContext {
  /** The attempt a send now would be: real sends so far plus one (see `deliveryAttempt`). */
  attempt: number;
  maxAttempts: number;
  /** The consumer's signal; aborting it abandons the delivery. */
  signal: AbortSignal;
  /** Times the message was deferred before; spaces its next return further out. @default 0 */
  deferrals?: number;
}

/**
 * What the caller should do with a message: a queue action, or `defer` — nothing was sent because
 * the target cannot take it now; hand it back for `delayMs` without spending an attempt (the
 * processor and the deliver stage publish a copy with `requeueDeferred` and acknowledge this one).
 */
export type DispatchResult = Exclude<HandlerResult, void> | { action: 'defer'; delayMs: number; reason: string };

/** Delivers messages to targets within their limits. */
export interface Dispatcher {
  /**
   * Delivers one message and says what to do with it: `ack` only when the target accepted it,
   * `retry` with a delay after a failed send, `dead-letter` for a permanent refusal or the last
   * attempt, or `defer` when it could not be sent now.
   */
  dispatch(destination: DispatchTarget, message: OutboundMessage, context: DispatchContext): Promise<DispatchResult>;
  metrics(): Record<string, TargetMetrics>;
  dispose(): Promise<void>;
}

/** How far past the end of a pause the messages handed back during it are spread. */
const PAUSE_SPREAD_MS = 1000;
/**
 * Longest delay of a message handed back because its target was busy or out of budget: short enough
 * that a recovered target gets its backlog soon, long enough that the backlog does not cycle hot.
 */
const BUSY_DEFERRAL_CAP_MS = 10_000;

/** Creates a dispatcher. */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const clock = options.clock ?? systemClock;
  const limiter = options.limiter ?? createLocalLimiter({ clock });
  const bus = options.bus ?? createEventBus();
  const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  const failureThreshold = options.failureThreshold ?? 5;
  const reorderWindowMs = options.reorderWindowMs ?? 60_000;
  const defaultThrottleMs = options.defaultThrottleMs ?? 1000;
  const headroomTokens = options.headroomTokens;
  const random = options.random ?? Math.random;
  const state = new Map<string, { metrics: TargetMetrics; gate: Gate; probe: Gate; consecutiveFailures: number; openings: number }>();

  const stateOf = (d: DispatchTarget) => {
    let s = state.get(d.key);
    if (!s) {
      s = { metrics: { requests: 0, delivered: 0, failed: 0, throttled: 0, deadLettered: 0, deferred: 0, inFlight: 0, pausedUntil: 0 }, gate: new Gate(d.concurrency ?? 4), probe: new Gate(1), consecutiveFailures: 0, openings: 0 };
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

  const send = async (d: DispatchTarget, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> => {
    const limit = linkedDeadline(clock, signal, timeoutMs);
    try {
      // Race the target against the deadline: a target that ignores its signal still times out.
      return await raceAbort(d.target.send(message, { config: d.config, signal: limit.signal, fetch }), limit.signal);
    } catch (error) {
      if (signal.aborted) throw toError(signal.reason);
      const e = toError(error);
      return { ok: false, error: e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : e.message };
    } finally {
      limit.done();
    }
  };

  return {
    async dispatch(d, message, { attempt, maxAttempts, signal, deferrals = 0 }) {
      const s = stateOf(d);
      const base = { target: d.key, messageId: message.id, idempotencyKey: message.idempotencyKey, attempt };
      const defer = (reason: string): DispatchResult => {
        s.metrics.deferred++;
        const pausedFor = Math.max(0, s.metrics.pausedUntil - clock.now());
        // A known pause says when to come back: just after it ends, spread over a second so the
        // backlog does not return in one bunch (the pause itself grows while the target fails).
        // Otherwise nobody knows when a slot or token frees: back off with each deferral.
        const delayMs = pausedFor > 0 ? pausedFor + Math.round(random() * PAUSE_SPREAD_MS) : deferralDelay(deferrals, Math.min(reorderWindowMs, BUSY_DEFERRAL_CAP_MS), random);
        return { action: 'defer', delayMs, reason };
      };
      /** Runs `wait` under a bound of `ms`: true when it finished, false when the bound ran out first. */
      const within = async (ms: number, wait: (bound: AbortSignal) => Promise<boolean | void>): Promise<boolean> => {
        const bound = linkedDeadline(clock, signal, ms);
        try {
          return (await wait(bound.signal)) !== false;
        } catch (error) {
          if (signal.aborted) throw toError(signal.reason);
          // Anything but our own bound running out (a bad limit, a limiter that is down) is a real
          // failure for the caller to sort: deferring it would loop for ever without an attempt.
          if (!bound.signal.aborted) throw toError(error);
          return false;
        } finally {
          bound.done();
        }
      };
      for (;;) {
          const pausedFor = s.metrics.pausedUntil - clock.now();
          if (pausedFor > maxWaitMs) return defer(`${d.key} is paused for ${pausedFor} ms`);
          // A failing target with every request slot busy frees one only as a request fails, maybe
          // after the whole timeout: no point queueing behind it while other destinations wait.
          if (s.gate.full && s.consecutiveFailures > 0) return defer(`${d.key} is failing and all its request slots are busy`);
          // After the circuit opened, one request at a time probes the target until one succeeds:
          // the backlog returning as a pause ends must not meet it in a bunch, each failure
          // reopening the circuit for twice as long.
          const probing = s.openings > 0;
          if (probing && s.probe.full) return defer(`${d.key} is being probed after its circuit opened`);
          if (probing) await s.probe.enter(signal); // free (checked just above): taken at once
          const leave = () => {
            s.gate.leave();
            if (probing) s.probe.leave();
          };
          // The concurrency slot first, then the token: a token taken while waiting for a slot would
          // be spent later in a bunch with others, and the target would see a burst. A slot frees
          // within one request's timeout, so waiting about that long for a target not known to fail
          // costs less than handing the message back and forth, and keeps a slow target busy.
          const slotWaitMs = timeoutMs + maxWaitMs;
          const entered = await within(slotWaitMs, (bound) => s.gate.enter(bound));
          if (!entered) {
            if (probing) s.probe.leave();
            return defer(`${d.key} had no free request slot within ${slotWaitMs} ms`);
          }
          let budget: boolean;
          try {
            budget = await within(maxWaitMs, (bound) => limiter.acquire(d.key, pacedLimit(d.rateLimit, headroomTokens), { signal: bound }));
          } catch (error) {
            leave();
            throw error;
          }
          if (!budget) {
            leave();
            return defer(`${d.key} had no rate budget within ${maxWaitMs} ms`);
          }
          s.metrics.inFlight++;
          s.metrics.requests++;
          const started = clock.now();
          let result: DeliveryResult;
          try {
            result = await send(d, message, signal);
          } finally {
            s.metrics.inFlight--;
            leave();
          }
          if (result.budget) await limiter.observe(d.key, pacedLimit(d.rateLimit, headroomTokens), result.budget);

          if (result.status === 429) {
            // A 429 pauses the whole target and does not count against this message's attempts: the
            // loop waits out a short pause within the bound, or defers the message.
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
    },
    metrics() {
      return Object.fromEntries([...state].map(([k, s]) => [k, { ...s.metrics }]));
    },
    async dispose() {
      await limiter.dispose();
    },
  };
}
