/**
 * The Tributary reference server. `pnpm start` runs it on the embedded default with nothing else to
 * install; see README.md for the configuration. `--role api|worker|dispatcher` runs one part only
 * (default: all of them in this process); `--processes N` runs N copies on one port (shared engines).
 */
import { serve } from '@hono/node-server';
import cluster from 'node:cluster';
import { createServer as createHttpServer, type ServerOptions } from 'node:http';
import { parseArgs } from 'node:util';
import { isEmbedded, loadConfig } from './config.js';
import { DEMO_WORKSPACE_NAME, demoEnabled, prepareDemo, type DemoHandle } from './demo/index.js';
import { withIngestFastPath, type NodeRequestListener } from './ingest/fast-path.js';
import { createLogger } from './logger.js';
import { superviseProcesses } from './processes.js';
import { loadSecrets } from './secrets.js';
import { createServer, ROLES, ROLE_STAGES, type Role } from './server.js';

function parseArgv(argv: string[]): { role: Role; processes: number | undefined } {
  const { values } = parseArgs({ args: argv, options: { role: { type: 'string', default: 'all' }, processes: { type: 'string' } }, strict: false, allowPositionals: true });
  const role = values.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new Error(`invalid --role ${String(role)}: use one of ${ROLES.join(', ')}`);
  const processes = values.processes === undefined ? undefined : Number(values.processes);
  if (processes !== undefined && !(Number.isInteger(processes) && processes >= 1 && processes <= 64)) throw new Error(`invalid --processes ${String(values.processes)}: a whole number from 1 to 64`);
  return { role: role as Role, processes };
}

async function main() {
  const { role, processes: processesFlag } = parseArgv(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const processes = processesFlag ?? config.TRIBUTARY_PROCESSES;
  if (processes > 1 && cluster.isPrimary) {
    if (isEmbedded(config)) throw new Error(`--processes ${processes} needs shared engines (DATABASE_URL, REDIS_URL, NATS_URL or AMQP_URL): the embedded engines belong to one process`);
    // Resolved once here, so the copies read the same files instead of racing to create them.
    const secrets = await loadSecrets(config, (message) => logger.warn(message));
    printAdminToken(secrets);
    const supervisor = superviseProcesses({ count: processes, log: logger });
    const stop = () => void supervisor.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  const server = await createServer({ config, role, logger });

  const { secrets, engines } = server;
  const argv = process.argv.slice(2);
  let demo: DemoHandle | undefined;
  if (demoEnabled({ flag: argv.includes('--demo') ? true : argv.includes('--no-demo') ? false : undefined, env: config.TRIBUTARY_DEMO, embedded: isEmbedded(config), role })) {
    if (role !== 'all' || cluster.isWorker) {
      logger.warn({ role }, 'demo mode needs --role all in one process (the simulator lives in this process); not starting it');
    } else {
      // With in-memory engines nothing survives a restart, so there is no state worth keeping.
      demo = await prepareDemo({ ...(config.DATABASE_URL || config.TRIBUTARY_EMBEDDED === 'pglite' ? { dataDir: config.TRIBUTARY_DATA_DIR } : {}) });
      // The simulator listens on loopback, which the outbound guard refuses unless allowed.
      // Before the consumers start: deliveries queued by the last run go to the simulator at once.
      for (const host of demo.allowHosts) server.net.allowHost(host);
    }
  }
  await server.start();
  // A copy under a supervisor leaves this to the supervisor, which printed it once for all.
  if (!cluster.isWorker) printAdminToken(secrets);
  logger.info({ role, stages: ROLE_STAGES[role], storage: engines.describe.storage, queue: engines.describe.queue, connectors: server.registry.connectors.map((c) => c.name), analyzers: server.registry.analyzers.map((a) => a.name) }, 'server started');

  // The ingest routes on node:http directly; everything else through Hono's listener.
  const createServerWithFastPath = ((options: ServerOptions, listener: NodeRequestListener) => createHttpServer(options, withIngestFastPath(server.fastPath, listener))) as typeof createHttpServer;
  const http = serve({ fetch: server.app.fetch, port: config.PORT, hostname: config.HOST, createServer: createServerWithFastPath }, (info) => {
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    console.log(`Tributary server (${role}) listening on http://${host}:${info.port} — API docs at /docs`);
    if (demo) {
      const base = `http://${host}:${info.port}`;
      demo.attach({ app: server.app, adminToken: secrets.adminToken, log: logger }, base).then(
        (d) => {
          // Printed, not logged: like the admin token, the key is for the person at the terminal.
          console.log(
            [
              `Demo mode (the default with the embedded engine; --no-demo or TRIBUTARY_DEMO=false turns it off)${d.reused ? ', reusing the demo workspace of the last run' : ''}:`,
              `  workspace "${DEMO_WORKSPACE_NAME}" ${d.workspaceId}, API key: ${d.apiKey}`,
              `  dashboard: ${d.dashboardUrl}`,
              `  simulated forum (Discourse API, rate limited) and CRM at ${demo!.simulator.url}; a widget and a billing system push to the API`,
            ].join('\n'),
          );
        },
        (error: Error) => logger.error({ error: error.message }, 'demo setup failed'),
      );
    }
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    http.close();
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await demo?.stop().catch((error: Error) => logger.warn({ error: error.message }, 'demo stop failed'));
    await server.stop().catch((error: Error) => logger.error({ error: error.message }, 'shutdown failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Tells the person at the terminal where the admin token is (the token itself only when just generated). */
function printAdminToken(secrets: { adminTokenGenerated?: boolean | undefined; adminTokenFile?: string | null | undefined; adminToken: string }) {
  if (secrets.adminTokenGenerated) {
    // Printed once, when generated; never logged as a JSON line with the rest.
    console.log(`Admin token (generated, kept in ${secrets.adminTokenFile}): ${secrets.adminToken}`);
  } else if (secrets.adminTokenFile) {
    console.log(`Admin token: in ${secrets.adminTokenFile}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
