/**
 * @module telemetry/request-span
 * The server span of one HTTP request, framework-free: the Hono middleware and the node:http fast
 * path of the ingest routes open and close it the same way. It continues the caller's
 * `traceparent` and is the active span while the request is handled, so what the request enqueues
 * carries its trace on to the stages.
 */
import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { contextFromTraceparent } from './traceparent.js';

/** Routes not worth a span: probes and scrapes. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/** Workspace (and, for webhooks, source) ids in a path. */
const IDS = /^\/v1\/(?:workspaces|hooks)\/([^/]+)(?:\/([^/]+))?/;

/** An open request span. */
export interface RequestSpan {
  /** Runs the handling of the request with the span active. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Names the span after its route, records the answer and ends it. */
  end(outcome: { route: string; status: number; workspaceId?: string | undefined }): void;
}

/** Opens the span of a request, or returns undefined for a path that gets none. */
export function startRequestSpan(tracer: Tracer, request: { method: string; path: string; requestId: string; traceparent: string | undefined | null }): RequestSpan | undefined {
  const { method, path } = request;
  if (UNTRACED.has(path)) return undefined;
  const parent = contextFromTraceparent(request.traceparent);
  const span: Span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'tributary.request_id': request.requestId } }, parent);
  const active = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(active, fn),
    end({ route, status, workspaceId }) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', status);
      const ids = IDS.exec(path);
      const ws = workspaceId ?? (ids ? safeDecode(ids[1]!) : undefined);
      if (ws) span.setAttribute('tributary.workspace_id', ws);
      if (ids?.[2] && path.startsWith('/v1/hooks/')) span.setAttribute('tributary.source_id', safeDecode(ids[2]));
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** A path segment decoded, or as it is when it is not valid percent-encoding. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
