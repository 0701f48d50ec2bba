/**
 * A second baseline of `bench/ingest.ts`: the same bare handler on Hono over `@hono/node-server` (the
 * reference server's framework), to tell the framework's cost from the server's own. Prints
 * `listening on <port>`.
 *
 *   node --import tsx bench/ingest-hono.ts [port]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Hono and its node adapter are dependencies of the example server.
const requireFromServer = createRequire(join(dirname(fileURLToPath(import.meta.url)), '../examples/server/package.json'));
const { Hono } = (await import(requireFromServer.resolve('hono'))) as typeof import('../examples/server/node_modules/hono');
const { serve } = (await import(requireFromServer.resolve('@hono/node-server'))) as typeof import('../examples/server/node_modules/@hono/node-server');

const app = new Hono();
app.post('*', async (c) => {
  let body: { records?: unknown[] };
  try {
    body = (await c.req.json()) as { records?: unknown[] };
  } catch {
    return c.json({ error: { code: 'validation' } }, 400);
  }
  return c.json({ accepted: Array.isArray(body.records) ? body.records.length : 1 }, 202);
});
serve({ fetch: app.fetch, port: Number(process.argv[2] ?? 0), hostname: '127.0.0.1' }, (info) => console.log(`listening on ${info.port}`));
process.on('SIGTERM', () => process.exit(0));
