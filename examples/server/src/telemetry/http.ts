/**
 * @module telemetry/http
 * A server span per HTTP request, continuing the caller's `traceparent` when it sent one. It is the
 * active span while the route runs, so the messages a webhook or the records API enqueues carry its
 * trace on to the stages.
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../api.js';
import { contextFromTraceparent } from './traceparent.js';

/** Routes not worth a span: probes and scrapes. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/** Workspace (and, for webhooks, source) ids in a path. */
const IDS = /^\/v1\/(?:workspaces|hooks)\/([^/]+)(?:\/([^/]+))?/;

/** The request span middleware. */
export function tracingMiddleware(tracer: Tracer): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (UNTRACED.has(path)) return next();
    const parent = contextFromTraceparent(c.req.header('traceparent'));
    const method = c.req.method;
    await tracer.startActiveSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'tributary.request_id': c.get('requestId') } }, parent, async (span) => {
      try {
        await next();
      } finally {
        const route = c.get('route');
        const status = c.res.status;
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', status);
        const ids = IDS.exec(path);
        const ws = c.get('workspace')?.id ?? (ids ? decodeURIComponent(ids[1]!) : undefined);
        if (ws) span.setAttribute('tributary.workspace_id', ws);
        if (ids?.[2] && path.startsWith('/v1/hooks/')) span.setAttribute('tributary.source_id', decodeURIComponent(ids[2]));
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
  };
}
