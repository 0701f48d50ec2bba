/**
 * @module http-scope
 * What happens around every request, framework-free so that the Hono app and the node:http fast
 * path of the ingest routes do exactly the same: the request id, the per-workspace rate limit, the
 * metrics and the access log line, and the error log of a server-side failure.
 */
import { randomUUID } from 'node:crypto';
import type { CounterSeries, HistogramSeries } from '@tributary/core/metrics';
import { httpErrors, type ErrorAnswer } from './errors.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';
import type { RequestLimiter } from './rate-limit.js';

/** Request ids a client may choose; anything else is replaced, so nothing hostile is echoed back. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of a request: the client's `x-request-id` when well formed, else a new one. */
export function requestIdOf(incoming: string | undefined | null): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Takes a token of the workspace's request budget (`api` and `hooks` are counted apart).
 * @throws TributaryError `rate_limited` (429 with `Retry-After`) when the budget is spent
 */
export function takeRequestToken(limiter: RequestLimiter, metrics: Pick<ServerMetrics, 'rateLimited'>, kind: 'api' | 'hooks', workspaceId: string | undefined): void {
  if (!workspaceId) return;
  const taken = limiter.take(`${kind}:${workspaceId}`);
  if (!taken.ok) {
    metrics.rateLimited.inc({ kind });
    throw httpErrors.rateLimited(taken.retryAfterMs);
  }
}

/** A request as the metrics and the access log see it. */
export interface RequestOutcome {
  method: string;
  /** The path, never the query string: it can carry tokens. */
  path: string;
  /** The route template that matched, or `unmatched`. */
  route: string;
  status: number;
  /** From `performance.now()` at the start of the request. */
  startedAt: number;
  workspaceId?: string | undefined;
}

type RequestSeries = { requests: CounterSeries; duration: HistogramSeries };
/** The series each method, route and status counts into, found once per metrics object. */
const seriesCache = new WeakMap<object, Map<string, RequestSeries>>();
/** Bounds the cache: methods are the client's to choose (routes and statuses are a short list). */
const MAX_CACHED_SERIES = 1000;

function requestSeries(metrics: Pick<ServerMetrics, 'httpRequests' | 'httpDuration'>, method: string, route: string, status: number): RequestSeries {
  let byKey = seriesCache.get(metrics);
  if (!byKey) seriesCache.set(metrics, (byKey = new Map()));
  const key = `${method} ${route} ${status}`;
  let series = byKey.get(key);
  if (!series) {
    series = { requests: metrics.httpRequests.series({ method, route, status: String(status) }), duration: metrics.httpDuration.series({ method, route }) };
    if (byKey.size < MAX_CACHED_SERIES) byKey.set(key, series);
  }
  return series;
}

/** Counts a finished request and writes its access log line (on the request's child logger). */
export function observeRequest(metrics: Pick<ServerMetrics, 'httpRequests' | 'httpDuration'>, log: Logger, outcome: RequestOutcome): void {
  const seconds = (performance.now() - outcome.startedAt) / 1000;
  const { method, route, status, workspaceId } = outcome;
  // Series found once and kept: building each series key took longer than counting (bench/README.md, "Ingest").
  const series = requestSeries(metrics, method, route, status);
  series.requests.inc();
  series.duration.observe(seconds);
  // Below info (LOG_LEVEL=warn, as under load) the line's object is not even built.
  if (log.isLevelEnabled('info')) log.info({ method, path: outcome.path, route, status, durationMs: Math.round(seconds * 100_000) / 100, ...(workspaceId ? { workspaceId } : {}) }, 'request');
}

/** Logs a server-side failure with the error's own message, for operators (clients got a generic one). */
export function logFailure(log: Logger, error: unknown, answer: ErrorAnswer): void {
  if (!answer.serverError) return;
  const e = error as { name?: string; message?: string; code?: unknown; stack?: string };
  log.error({ err: { name: e.name, message: e.message, code: e.code, stack: e.stack } }, 'request failed');
}
