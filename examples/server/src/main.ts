/**
 * The Tributary reference server. `pnpm start` runs it on the embedded default with nothing else to
 * install; see README.md for the configuration. `--role api|worker|dispatcher` runs one part only
 * (default: all of them in this process).
 */
import { serve } from '@hono/node-server';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createServer, ROLES, ROLE_STAGES, type Role } from './server.js';

function parseRole(argv: string[]): Role {
  const { values } = parseArgs({ args: argv, options: { role: { type: 'string', default: 'all' } }, strict: false, allowPositionals: true });
  const role = values.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new Error(`invalid --role ${String(role)}: use one of ${ROLES.join(', ')}`);
  return role as Role;
}

async function main() {
  const role = parseRole(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const server = await createServer({ config, role, logger });
  await server.start();

  const { secrets, engines } = server;
  if (secrets.adminTokenGenerated) {
    // Printed once, when generated; never logged as a JSON line with the rest.
    console.log(`Admin token (generated, kept in ${secrets.adminTokenFile}): ${secrets.adminToken}`);
  } else if (secrets.adminTokenFile) {
    console.log(`Admin token: in ${secrets.adminTokenFile}`);
  }
  logger.info({ role, stages: ROLE_STAGES[role], storage: engines.describe.storage, queue: engines.describe.queue, connectors: server.registry.connectors.map((c) => c.name), analyzers: server.registry.analyzers.map((a) => a.name) }, 'server started');

  const http = serve({ fetch: server.app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    console.log(`Tributary server (${role}) listening on http://${host}:${info.port} — API docs at /docs`);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    http.close();
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await server.stop().catch((error: Error) => logger.error({ error: error.message }, 'shutdown failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
