import pRetry, { AbortError } from 'p-retry';
import { systemClock, type Clock, type TimerHandle } from '../clock/index.js';
import type { FetchFunction, RateBudget } from '../connector/index.js';
import { createError, isTributaryError, type TributaryError } from '../errors/index.js';
import { fullJitterDelay } from './backoff.js';
import { SourceGate, budgetKey, checkBudget } from './throttle.js';
import { defaultBudgetHints, defaultWaitHints, readWaitHints, type WaitHint } from './wait-hints.js';

/** Why an attempt is retried. */
export type RetryReason = 'status' | 'network' | 'timeout';

/** What {@link HttpClientOptions.onRetry} receives before the client waits and retries. */
export interface RetryEvent {
  sourceKey: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** True when the wait came from the provider (Retry-After and the like), not from backoff. */
  hinted: boolean;
  reason: RetryReason;
  /** The status of the failed response, when there was one. */
  status?: number;
  /** The network or timeout error, when there was no response. */
  error?: Error;
}

/** Options shared by {@link createHttpClient} and {@link createConnectorFetchFactory}. */
export interface HttpClientOptions {
  /** The fetch that sends requests. Looked up per call by default, so mocks installed later apply. @default globalThis.fetch */
  fetch?: FetchFunction;
  /** Reads time and sets every timer (timeouts, backoff sleeps, budget windows). @default systemClock */
  clock?: Clock;
  /**
   * Per attempt: from sending the request until its body is read to the end (or cancelled). A body
   * still streaming after this long is aborted too, so a stalled download cannot hold a run (and its
   * lock) forever. Read or cancel every body, as fetch requires anyway: the timer lives until then.
   * @default 30000
   */
  timeoutMs?: number;
  /** Attempts per request, the first included. @default 5 */
  maxAttempts?: number;
  /** Cap of the first backoff; it doubles per attempt (full jitter picks a wait below the cap). @default 1000 */
  baseDelayMs?: number;
  /** Largest backoff cap. @default 30000 */
  maxDelayMs?: number;
  /**
   * Longest provider wait honoured inside one request. A longer one (GitHub's hourly reset, say) is
   * not slept through: the response is returned at once, so the connector fails the run with
   * `rate_limited` and its `retryAfterMs`, and the queue redelivers it later without holding a worker.
   * @default 120000
   */
  maxWaitMs?: number;
  /** Statuses retried. 403 is also retried when a wait hint explains it (GitHub's rate limits). @default 408, 429 and 500–599 */
  retryStatus?: (status: number) => boolean;
  /** Read the provider's requested wait from a failed response; the longest applies. @default defaultWaitHints */
  waitHints?: readonly WaitHint[];
  /**
   * Read from successful responses: a wait they return pauses the source's later requests, so the
   * request after an exhausted budget (GitHub's `X-RateLimit-Remaining: 0`) is not spent on a refusal.
   * @default defaultBudgetHints
   */
  budgetHints?: readonly WaitHint[];
  /** Source of the jitter. @default Math.random */
  random?: () => number;
  /** Called before each retry (for logs and metrics; core logs nothing itself). */
  onRetry?: (event: RetryEvent) => void;
  /** Names the component in error messages. @default 'http' */
  component?: string;
}

/** Options of {@link createHttpClient}. */
export interface HttpClientSingleOptions extends HttpClientOptions {
  /** The budget this client's requests share. @default none (no throttling) */
  budget?: RateBudget;
  /** Names the budget in errors and events. @default 'default' */
  key?: string;
}

/** A fetch with timeouts, retries and a rate budget, and the means to release its timers. */
export interface HttpClient {
  readonly fetch: FetchFunction;
  /** Stops the limiter: requests still waiting for a slot fail with `aborted`. */
  dispose(): Promise<void>;
}

/**
 * Builds the fetch a connector gets for one source. Use it as `PipelineOptions.connectorFetch`;
 * call {@link ConnectorFetchFactory.dispose} when the pipeline stops.
 */
export interface ConnectorFetchFactory {
  (sourceKey: string, budget: RateBudget | undefined): FetchFunction;
  /** Stops every limiter and clears every timer. */
  dispose(): Promise<void>;
}

const DEFAULTS = { timeoutMs: 30_000, maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, maxWaitMs: 120_000 };

const defaultRetryStatus = (status: number) => status === 408 || status === 429 || (status >= 500 && status <= 599);

/** A failed response the client may retry. Carries it so the last one can be returned intact. */
class RetryableResponse extends Error {
  constructor(
    readonly response: Response,
    readonly hintMs: number | undefined,
    /** Clears its timeout, still armed in case this is the last attempt and the caller reads the body. */
    readonly done: () => void,
  ) {
    super(`HTTP ${response.status}`);
  }
}

/** A request that got no response. */
class NoResponse extends Error {
  constructor(
    readonly reason: 'network' | 'timeout',
    readonly error: TributaryError,
  ) {
    super(error.message);
  }
}

/**
 * Creates the connector fetch factory: one throttle per `sourceKey` (its declared budget, its pauses),
 * shared by every run of that source in this process. Budgets are per process; several processes
 * pulling one source split nothing, so give each a budget that leaves room for the others.
 *
 * @example
 * ```ts
 * const connectorFetch = createConnectorFetchFactory();
 * const pipeline = createPipeline({ storage, queue, connectors, connectorFetch });
 * // on shutdown
 * await pipeline.stop();
 * await connectorFetch.dispose();
 * ```
 */
export function createConnectorFetchFactory(options: HttpClientOptions = {}): ConnectorFetchFactory {
  const settings = {
    clock: options.clock ?? systemClock,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? DEFAULTS.maxAttempts)),
    baseDelayMs: options.baseDelayMs ?? DEFAULTS.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
    maxWaitMs: options.maxWaitMs ?? DEFAULTS.maxWaitMs,
    retryStatus: options.retryStatus ?? defaultRetryStatus,
    waitHints: options.waitHints ?? defaultWaitHints,
    budgetHints: options.budgetHints ?? defaultBudgetHints,
    random: options.random ?? Math.random,
    onRetry: options.onRetry,
    component: options.component ?? 'http',
  };
  const { clock } = settings;
  const gates = new Map<string, SourceGate>();
  /** Request timeouts still armed (a body not read yet), cleared by dispose(). */
  const timers = new Set<TimerHandle>();
  let disposed = false;
  /** Ends backoff sleeps on dispose(), so no timer outlives the client. */
  const disposal = new AbortController();

  const gateFor = (sourceKey: string, budget: RateBudget | undefined): SourceGate => {
    const current = gates.get(sourceKey);
    if (current && current.budgetKey === budgetKey(budget)) return current;
    // A changed budget (the source's config was edited) starts a fresh window; the old gate lets its
    // queued requests finish under the old budget and is then forgotten.
    const gate = new SourceGate(sourceKey, budget, clock);
    gates.set(sourceKey, gate);
    return gate;
  };

  // Forget idle gates so a process pulling many sources does not keep one per source forever; an idle
  // gate holds no state a fresh one would not (all tokens back, no pause). Tokens come back after the
  // request ends, so every so often all gates are looked at, not just the one just used.
  let requestsSinceSweep = 0;
  const sweep = (sourceKey: string, gate: SourceGate) => {
    if (gates.get(sourceKey) === gate && gate.idle()) gates.delete(sourceKey);
    if (++requestsSinceSweep < 256) return;
    requestsSinceSweep = 0;
    for (const [key, g] of gates) if (g.idle()) gates.delete(key);
  };

  /** One attempt: a slot under the budget, then the request under a timeout. */
  const attemptOnce = async (sourceKey: string, gate: SourceGate, input: string | URL | Request, init: RequestInit | undefined): Promise<Response> => {
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const release = await gate.acquire(callerSignal);
    const timeout = new AbortController();
    const timer = clock.setTimeout(() => {
      timers.delete(timer);
      timeout.abort(createError(settings.component, 'timeout', `request to ${describe(input)} timed out after ${settings.timeoutMs} ms`, { context: { sourceKey } }));
    }, settings.timeoutMs);
    timers.add(timer);
    const done = () => {
      clock.clearTimeout(timer);
      timers.delete(timer);
    };
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
    let response: Response;
    try {
      // A Request body can be read once; each attempt sends a clone.
      response = await settings.fetch(input instanceof Request ? input.clone() : input, { ...init, signal });
    } catch (thrown) {
      release(true);
      done();
      if (callerSignal?.aborted) throw new AbortError(toAbortError(callerSignal.reason));
      if (timeout.signal.aborted) throw new NoResponse('timeout', timeout.signal.reason as TributaryError);
      if (isTributaryError(thrown) && !thrown.retryable) throw new AbortError(thrown);
      throw new NoResponse(
        'network',
        createError(settings.component, 'unavailable', `request to ${describe(input)} failed: ${(thrown as Error)?.message ?? String(thrown)}`, { cause: thrown, context: { sourceKey } }),
      );
    }
    release(true);

    if (response.ok || response.status < 400) {
      const budgetWait = await readWaitHints(settings.budgetHints, response, clock.now());
      if (budgetWait !== undefined && budgetWait > 0 && budgetWait <= settings.maxWaitMs) gate.pause(clock.now() + budgetWait);
      return boundBody(response, done);
    }
    const hintMs = await readWaitHints(settings.waitHints, response, clock.now());
    const retryable = settings.retryStatus(response.status) || (response.status === 403 && hintMs !== undefined);
    if (!retryable) return boundBody(response, done);
    if (hintMs !== undefined && hintMs <= settings.maxWaitMs) gate.pause(clock.now() + hintMs);
    throw new RetryableResponse(response, hintMs, done);
  };

  const request = async (sourceKey: string, budget: RateBudget | undefined, input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (disposed) throw createError(settings.component, 'aborted', 'the HTTP client was disposed');
    const gate = gateFor(sourceKey, budget);
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    try {
      return await pRetry(() => attemptOnce(sourceKey, gate, input, init).catch((error: unknown) => Promise.reject(notOurs(error))), {
        retries: settings.maxAttempts - 1,
        // p-retry's own sleep uses real timers; the wait happens in shouldRetry on the injectable clock.
        minTimeout: 0,
        factor: 1,
        ...(callerSignal ? { signal: callerSignal } : {}),
        shouldRetry: async ({ error, attemptNumber }) => {
          let delayMs: number;
          let hinted = false;
          if (error instanceof RetryableResponse) {
            if (error.hintMs !== undefined) {
              // Longer than we are willing to hold a worker: hand the response back instead.
              if (error.hintMs > settings.maxWaitMs) return false;
              delayMs = error.hintMs;
              hinted = true;
            } else {
              delayMs = fullJitterDelay(attemptNumber, settings.baseDelayMs, settings.maxDelayMs, settings.random);
            }
          } else if (error instanceof NoResponse) {
            delayMs = fullJitterDelay(attemptNumber, settings.baseDelayMs, settings.maxDelayMs, settings.random);
          } else {
            return false;
          }
          settings.onRetry?.({
            sourceKey,
            attempt: attemptNumber,
            delayMs,
            hinted,
            reason: error instanceof NoResponse ? error.reason : 'status',
            ...(error instanceof RetryableResponse ? { status: error.response.status } : {}),
            ...(error instanceof NoResponse ? { error: error.error } : {}),
          });
          if (error instanceof RetryableResponse) discard(error);
          if (delayMs > 0) await clock.sleep(delayMs, callerSignal ? AbortSignal.any([callerSignal, disposal.signal]) : disposal.signal);
          return true;
        },
      });
    } catch (error) {
      // Retries spent (or not allowed): connectors classify the last response themselves.
      if (error instanceof RetryableResponse) return boundBody(error.response, error.done);
      if (error instanceof NoResponse) throw error.error;
      throw error;
    } finally {
      sweep(sourceKey, gate);
    }
  };

  const factory = ((sourceKey: string, budget: RateBudget | undefined): FetchFunction => {
    // Validate now, so a bad budget fails the run at its start rather than on its first request.
    if (budget) checkBudget(budget, sourceKey);
    return (input, init) => request(sourceKey, budget, input, init);
  }) as ConnectorFetchFactory;
  factory.dispose = async () => {
    disposed = true;
    disposal.abort(createError(settings.component, 'aborted', 'the HTTP client was disposed'));
    for (const timer of timers) clock.clearTimeout(timer);
    timers.clear();
    const all = [...gates.values()];
    gates.clear();
    await Promise.all(all.map((g) => g.dispose()));
  };
  return factory;

  function discard(error: RetryableResponse): void {
    error.done();
    // Free the connection of a response nobody will read.
    error.response.body?.cancel().catch(() => undefined);
  }
}

/**
 * Creates a standalone HTTP client with timeouts, retries and (optionally) one rate budget, for calls
 * outside a pipeline run (a connector's `check()`, scripts, the benchmark).
 *
 * @example
 * ```ts
 * const client = createHttpClient({ budget: { requests: 60, perMs: 60_000 } });
 * const response = await client.fetch('https://forum.example.com/posts.json');
 * await client.dispose();
 * ```
 */
export function createHttpClient(options: HttpClientSingleOptions = {}): HttpClient {
  const { budget, key = 'default', ...rest } = options;
  const factory = createConnectorFetchFactory(rest);
  return { fetch: factory(key, budget), dispose: () => factory.dispose() };
}

/**
 * Calls `done` once the body has been read to its end, failed or been cancelled, so the request's
 * timeout bounds the body too and is cleared as soon as it is no longer needed.
 */
function boundBody(response: Response, done: () => void): Response {
  const source = response.body;
  if (!source) {
    done();
    return response;
  }
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          done();
          controller.close();
        } else {
          controller.enqueue(chunk.value);
        }
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  // The constructor cannot set these; pagination resolves relative `Link` targets against `url`.
  Object.defineProperty(wrapped, 'url', { value: response.url });
  Object.defineProperty(wrapped, 'redirected', { value: response.redirected });
  return wrapped;
}

/** Anything but a failed response or a missing one (a bug, a throwing hint) is not ours to retry. */
function notOurs(error: unknown): unknown {
  if (error instanceof RetryableResponse || error instanceof NoResponse || error instanceof AbortError) return error;
  return new AbortError(error instanceof Error ? error : new Error(String(error)));
}

function toAbortError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  return createError('http', 'aborted', `request aborted${reason === undefined ? '' : `: ${String(reason)}`}`);
}

function describe(input: string | URL | Request): string {
  const raw = input instanceof Request ? input.url : String(input);
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return raw.split('?')[0] ?? raw;
  }
}
