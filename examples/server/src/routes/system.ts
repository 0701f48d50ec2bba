/**
 * @module routes/system
 * Liveness, readiness (engines reachable), Prometheus metrics, the OpenAPI document and its viewer.
 */
import { z } from 'zod';
import { GLOBAL_SCOPE } from '@tributary/core/storage';
import type { RouteDeps } from '../context.js';
import { DOCS_PAGE } from '../docs-page.js';
import { PROMETHEUS_CONTENT_TYPE } from '@tributary/core/metrics';
import { buildOpenApiDocument } from '../openapi.js';

const READY_TIMEOUT_MS = 3000;

/** Runs a check within a time limit: 'ok', or a short reason (details go to the log only). */
async function probe(run: () => Promise<unknown>, onError: (error: unknown) => void): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([run(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS)))]);
    return 'ok';
  } catch (error) {
    onError(error);
    return (error as Error).message === 'timed out' ? 'timed out' : 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

export function systemRoutes(deps: RouteDeps, info: { startedAt: Date; version: string }): void {
  const { api, pipeline, metrics } = deps;

  api.add(
    {
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness',
      tag: 'System',
      access: 'public',
      responses: { 200: { description: 'The process is up', schema: z.object({ status: z.literal('ok'), uptimeSeconds: z.number() }) } },
    },
    (c) => c.json({ status: 'ok' as const, uptimeSeconds: Math.round((Date.now() - info.startedAt.getTime()) / 1000) }),
  );

  api.add(
    {
      method: 'get',
      path: '/readyz',
      operationId: 'ready',
      summary: 'Readiness: storage and queue reachable',
      tag: 'System',
      access: 'public',
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.string()), engines: z.object({ storage: z.string(), queue: z.string() }) }) },
        503: { description: 'An engine is unreachable' },
      },
    },
    async (c) => {
      const log = c.get('log');
      const [storage, queue] = await Promise.all([
        probe(() => pipeline.storage.getDocument('workspaces', GLOBAL_SCOPE, '_probe'), (e) => log.warn({ err: e }, 'readiness: storage check failed')),
        probe(() => pipeline.queue.stats(pipeline.topics.parse), (e) => log.warn({ err: e }, 'readiness: queue check failed')),
      ]);
      const checks = { storage, queue };
      const ready = storage === 'ok' && queue === 'ok';
      return c.json({ status: ready ? 'ready' : 'unavailable', checks, engines: deps.engines }, ready ? 200 : 503);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag: 'System',
      access: 'public',
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
    },
    async (c) => c.body(await metrics.render(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE }),
  );

  let document: unknown;
  api.add(
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document',
      tag: 'System',
      access: 'public',
      responses: { 200: { description: 'The document', contentType: 'application/json' } },
    },
    (c) => {
      document ??= buildOpenApiDocument(api.routes, {
        title: 'Tributary API',
        version: info.version,
        description: 'Fetch, parse, analyze, report and deliver feedback and value records. Workspace routes take `Authorization: Bearer <workspace API key>`.',
      });
      return c.json(document as object);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      summary: 'Browse this API',
      tag: 'System',
      access: 'public',
      responses: { 200: { description: 'An HTML page rendering /openapi.json', contentType: 'text/html' } },
    },
    (c) => c.html(DOCS_PAGE, 200, { 'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:" }),
  );
}
