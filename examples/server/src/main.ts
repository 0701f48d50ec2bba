/**
 * The Tributary reference server. `pnpm start` runs it on the embedded default with nothing else to
 * install; see README.md for the configuration.
 */
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createEngines } from './engines.js';

async function main() {
  const config = loadConfig();
  const pipeline = await createEngines(config);
  await pipeline.start();
  const app = createApp({ pipeline, startedAt: new Date() });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    console.log(`Tributary server listening on http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${info.port}`);
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close();
    await pipeline.stop();
    await pipeline.queue.dispose();
    await pipeline.storage.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
