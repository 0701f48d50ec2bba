/**
 * @module telemetry/http
 * A server span per HTTP request, continuing the caller's `traceparent` when it sent one. It is the
 * active span while the route runs, so the messages a webhook or the records API enqueues carry its
 * trace on to the stages. (The span itself is {@link startRequestSpan}'s, shared with the node:http
 * fast path of the ingest routes.)
 */
import type { Tracer } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../api.js';
import { startRequestSpan } from './request-span.js';

/** The request span middleware. */
export function tracingMiddleware(tracer: Tracer): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const span = startRequestSpan(tracer, { method: c.req.method, path: new URL(c.req.url).pathname, requestId: c.get('requestId'), traceparent: c.req.header('traceparent') });
    if (!span) return next();
    try {
      await span.run(next);
    } finally {
      span.end({ route: c.get('route'), status: c.res.status, workspaceId: c.get('workspace')?.id });
    }
  };
}
