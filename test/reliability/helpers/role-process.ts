/**
 * Entry of one server process of the reliability suites (`node --conditions=@tributary/source
 * --import tsx role-process.ts --role worker`). It assembles the process exactly as
 * `examples/server/src/main.ts` does — `loadConfig` from the environment, `createServer` with the role
 * (engines from the server's own `createEngines`), `server.start()`, served with @hono/node-server
 * with the ingest routes on node:http directly (the fast path, `TRIBUTARY_INGEST_FAST_PATH`) —
 * with two test-only differences, both through `createServer`'s public options:
 *
 * - `RELIABILITY_LEASE_MS` shortens the stages' visibility timeouts (30 s, and 120 s for deliveries,
 *   by default) so that the messages a SIGKILLed process held are redelivered within the suite's time
 *   budget; the dispatcher's in-handler wait is kept well below it. Unset: the server's defaults.
 * - `RELIABILITY_NATS_PREFIX` gives the NATS queue its own stream and subject prefix, so a run shares
 *   no stream with anything else using the NATS server on this machine (the server itself always uses
 *   the default names). PostgreSQL runs get their own database and Redis runs their own logical
 *   database through the URLs instead, so they need nothing here.
 *
 * It prints `listening on http://…` once it serves, like main.ts. With `RELIABILITY_MEMORY_MS` set it
 * also prints `memory {…}` (process.memoryUsage()) that often, for bench/soak.ts.
 */
import { createServer as createHttpServer, type ServerOptions as HttpServerOptions } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { StageName } from '@tributary/core/events';
import { loadConfig } from '../../../examples/server/src/config.js';
import { createEngines, type Engines } from '../../../examples/server/src/engines.js';
import { withIngestFastPath, type NodeRequestListener } from '../../../examples/server/src/ingest/fast-path.js';
import { createLogger } from '../../../examples/server/src/logger.js';
import { createServer, ROLES, type Role, type ServerOptions } from '../../../examples/server/src/server.js';

type Serve = (options: { fetch: (request: Request) => Response | Promise<Response>; port: number; hostname: string; createServer?: typeof createHttpServer }, listening: (info: { port: number }) => void) => { close(): void };

const serverDir = join(import.meta.dirname, '../../../examples/server');

async function loadServe(): Promise<Serve> {
  // @hono/node-server is the example server's dependency, not the monorepo root's.
  const require = createRequire(join(serverDir, 'package.json'));
  const module = (await import(pathToFileURL(require.resolve('@hono/node-server')).href)) as { serve: Serve };
  return module.serve;
}

async function natsEngines(config: ReturnType<typeof loadConfig>, prefix: string, onError: (error: Error) => void): Promise<Engines> {
  // The store as the server builds it (PostgreSQL); the queue on NATS under this run's own names.
  const base = await createEngines({ ...config, NATS_URL: undefined }, { onError });
  const { createNatsQueue } = await import('@tributary/adapters/nats');
  const servers = config.NATS_URL!.split(',').map((s) => s.trim()).filter(Boolean);
  const queue = createNatsQueue({ servers, onError, streamPrefix: `${prefix.toUpperCase()}_`, subjectPrefix: prefix.toLowerCase() });
  return {
    storage: base.storage,
    queue,
    describe: { storage: base.describe.storage, queue: `nats ${servers.join(',')} (prefix ${prefix})` },
    async dispose() {
      await queue.dispose().catch(onError);
      await base.dispose();
    },
  };
}

function timings(): ServerOptions['pipeline'] {
  const lease = Number(process.env.RELIABILITY_LEASE_MS ?? '');
  if (!Number.isFinite(lease) || lease <= 0) return undefined;
  const stages: Partial<Record<StageName, { visibilityTimeoutMs: number }>> = {};
  for (const stage of ['fetch', 'parse', 'analyze', 'report', 'deliver'] as const) stages[stage] = { visibilityTimeoutMs: lease };
  // A delivery waiting for the limiter or a paused target must hand the message back well before its lease ends.
  return { stages, dispatcher: { maxWaitMs: Math.max(1000, Math.floor(lease / 3)) } };
}

async function main() {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { role: { type: 'string', default: 'all' } }, strict: false });
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new Error(`invalid --role ${String(role)}`);
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const onError = (error: Error) => logger.warn({ error: error.message }, 'engine error');
  const natsPrefix = process.env.RELIABILITY_NATS_PREFIX;
  const engines = config.NATS_URL && natsPrefix ? await natsEngines(config, natsPrefix, onError) : undefined;
  const pipeline = timings();
  const server = await createServer({ config, role, logger, ...(engines ? { engines } : {}), ...(pipeline ? { pipeline } : {}) });
  if (process.env.RELIABILITY_TRACE === '1') {
    // One line per stored record and per finished stage message, to follow an event across processes.
    server.pipeline.bus.on('record.stored', (e) => console.log(`T stored ${e.recordId} ${e.status} r${e.revision}`));
    server.pipeline.bus.on('stage.completed', (e) => console.log(`T done ${e.stage} ${e.messageId}`));
  }
  await server.start();
  const serve = await loadServe();
  // As main.ts: the ingest routes on node:http directly, everything else through Hono's listener.
  const createServerWithFastPath = ((options: HttpServerOptions, listener: NodeRequestListener) => createHttpServer(options, withIngestFastPath(server.fastPath, listener))) as typeof createHttpServer;
  const http = serve({ fetch: server.app.fetch, port: config.PORT, hostname: config.HOST, createServer: createServerWithFastPath }, (info) => {
    console.log(`Tributary server (${role}) listening on http://${config.HOST}:${info.port} pid ${process.pid}`);
  });
  const memoryEvery = Number(process.env.RELIABILITY_MEMORY_MS ?? 0);
  if (memoryEvery > 0) setInterval(() => console.log(`memory ${JSON.stringify(process.memoryUsage())}`), memoryEvery).unref();
  const stop = async () => {
    http.close();
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await server.stop().catch((error: Error) => logger.error({ error: error.message }, 'shutdown failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
