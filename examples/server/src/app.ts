import { Hono } from 'hono';
import type { Pipeline } from '@tributary/core/pipeline';

/** Builds the HTTP app over a pipeline. */
export function createApp(deps: { pipeline: Pipeline; startedAt: Date }) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000) }));
  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    try {
      await deps.pipeline.queue.stats(deps.pipeline.topics.parse);
      checks.queue = 'ok';
    } catch (e) {
      checks.queue = (e as Error).message;
    }
    try {
      await deps.pipeline.storage.getDocument('workspaces', '_global', '_probe');
      checks.storage = 'ok';
    } catch (e) {
      checks.storage = (e as Error).message;
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404));
  app.onError((_error, c) => c.json({ error: { code: 'internal', message: 'internal error' } }, 500));
  return app;
}
