/**
 * @module engines
 * The storage and queue the pipeline runs on, chosen by configuration:
 * - embedded default: PGlite (PostgreSQL in WebAssembly) persisted in `TRIBUTARY_DATA_DIR` as the
 *   store, and a journal file there as the durable queue (see embedded-queue.ts) — nothing to install
 *   (`TRIBUTARY_EMBEDDED=memory` keeps all in memory); PGlite runs in a worker thread, off the thread
 *   serving HTTP (`TRIBUTARY_PGLITE_THREAD=main` runs it on that thread instead);
 * - `DATABASE_URL`: PostgreSQL as the store, and as the queue unless a broker is configured;
 * - `REDIS_URL` / `NATS_URL` / `AMQP_URL`: that broker as the queue (Redis also paces deliveries
 *   across processes).
 * Adapters are imported only when chosen, so an unused engine's client is never loaded.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RateLimiter } from '@tributary/core/dispatcher';
import type { QueueAdapter } from '@tributary/core/queue';
import type { DedupStore } from '@tributary/core/webhooks';
import type { StorageAdapter } from '@tributary/core/storage';
import type { ServerConfig } from './config.js';
import { chooseEmbeddedQueue, fileQueueDirectory } from './embedded-queue.js';

/** The engines of one server process. */
export interface Engines {
  storage: StorageAdapter;
  queue: QueueAdapter;
  /** A delivery limiter shared across processes, when the engines offer one. */
  limiter?: RateLimiter;
  /**
   * Webhook delivery dedup beside the queue, when it is cheaper than the store's documents (Redis:
   * two commands per delivery instead of two database writes; the embedded engine's file queue: a
   * journal of delivery records, one shared fdatasync per burst). Without it, the webhook handler
   * keeps delivery records in storage.
   */
  dedup?: DedupStore;
  /** What runs where, for the startup line and `/readyz` (no credentials). */
  describe: { storage: string; queue: string };
  dispose(): Promise<void>;
}

/** Hides the credentials of a connection URL for display. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function brokerQueue(config: ServerConfig, onError: (error: Error) => void): Promise<{ queue: QueueAdapter; name: string; limiter?: RateLimiter; dedup?: DedupStore & { dispose(): Promise<void> } } | undefined> {
  if (config.REDIS_URL) {
    const { createRedisQueue } = await import('@tributary/adapters/redis');
    const { createRedisLimiter } = await import('@tributary/adapters/redis-limiter');
    const { createRedisDedupStore } = await import('@tributary/adapters/redis-dedup');
    return { queue: createRedisQueue({ url: config.REDIS_URL, onError }), name: `redis ${redactUrl(config.REDIS_URL)}`, limiter: createRedisLimiter({ url: config.REDIS_URL }), dedup: createRedisDedupStore({ url: config.REDIS_URL }) };
  }
  if (config.NATS_URL) {
    const { createNatsQueue } = await import('@tributary/adapters/nats');
    const servers = config.NATS_URL.split(',').map((s) => s.trim()).filter(Boolean);
    return { queue: createNatsQueue({ servers, onError }), name: `nats ${servers.map(redactUrl).join(',')}` };
  }
  if (config.AMQP_URL) {
    const { createRabbitQueue } = await import('@tributary/adapters/rabbitmq');
    return { queue: createRabbitQueue({ url: config.AMQP_URL, onError }), name: `rabbitmq ${redactUrl(config.AMQP_URL)}` };
  }
  return undefined;
}

/** Builds the engines the configuration names. Nothing connects until first use. */
export async function createEngines(config: ServerConfig, options: { onError?: (error: Error) => void; onNotice?: (message: string) => void } = {}): Promise<Engines> {
  const onError = options.onError ?? (() => undefined);
  const broker = await brokerQueue(config, onError);

  let storage: StorageAdapter;
  let queue: QueueAdapter | undefined = broker?.queue;
  let embeddedDedup: (DedupStore & { dispose(): Promise<void> }) | undefined;
  let storageName: string;
  let queueName = broker?.name;

  if (config.DATABASE_URL) {
    const { createPostgresStorage, createPostgresQueue } = await import('@tributary/adapters/postgres');
    storage = createPostgresStorage({ connectionString: config.DATABASE_URL, maxConnections: config.DATABASE_POOL_MAX });
    storageName = `postgres ${redactUrl(config.DATABASE_URL)}`;
    if (!queue) {
      queue = createPostgresQueue({ connectionString: config.DATABASE_URL, maxConnections: config.DATABASE_POOL_MAX, onError });
      queueName = storageName;
    }
  } else if (config.TRIBUTARY_EMBEDDED === 'pglite') {
    const { createPgliteStorage, createPgliteQueue } = await import('@tributary/adapters/pglite');
    const root = resolve(config.TRIBUTARY_DATA_DIR);
    // The store and a PGlite queue share one PGlite instance per directory.
    const dataDir = join(root, 'pglite');
    const thread = config.TRIBUTARY_PGLITE_THREAD;
    const openPgliteQueue = () => createPgliteQueue({ dataDir, thread, onError, pollIntervalMs: 250 });
    // Before PGlite opens it: a fresh clone's data directory may not exist yet (nor its parents,
    // which PGlite does not create), and the queue choice looks at what the directory holds.
    const choice = queue ? undefined : await chooseEmbeddedQueue({ dataDir: root, forced: config.TRIBUTARY_EMBEDDED_QUEUE, openPgliteQueue });
    await mkdir(root, { recursive: true });
    storage = createPgliteStorage({ dataDir, thread });
    // Compared as is by the CLI (refuseIfServed): the thread is not part of it.
    storageName = `pglite ${dataDir}`;
    if (!queue) {
      if (choice?.kind === 'pglite') {
        queue = choice.pgliteQueue ?? openPgliteQueue();
        queueName = storageName;
        if (!config.TRIBUTARY_EMBEDDED_QUEUE) options.onNotice?.(`the embedded queue stays in PGlite for now: ${choice.reason}`);
      } else {
        const { createFileQueue } = await import('@tributary/adapters/file-queue');
        const directory = fileQueueDirectory(root);
        queue = createFileQueue({ directory, onError });
        queueName = `file ${directory}`;
        // Webhook delivery records beside the queue, in a journal of their own: a delivery then
        // costs no PGlite transaction at all (claims in memory). The records are written lazily
        // (at most one fdatasync per 20 ms), so they do not compete with the queue's fdatasyncs for
        // the disk on every delivery: the handler answers before a record is saved anyway
        // (`rememberAfterAnswer`), and a lost record only lets one redelivery through again.
        const { createFileDedupStore } = await import('@tributary/adapters/file-dedup');
        embeddedDedup = createFileDedupStore({ directory: join(root, 'webhook-deliveries'), lazyRecords: true, onError });
      }
    }
  } else {
    const { createMemoryStorage } = await import('@tributary/core/storage/memory');
    storage = createMemoryStorage();
    storageName = 'memory';
    if (!queue) {
      const { createMemoryQueue } = await import('@tributary/core/queue/memory');
      queue = createMemoryQueue();
      queueName = 'memory';
    }
  }

  const finalQueue = queue;
  return {
    storage,
    queue: finalQueue,
    ...(broker?.limiter ? { limiter: broker.limiter } : {}),
    ...(broker?.dedup ? { dedup: broker.dedup } : embeddedDedup ? { dedup: embeddedDedup } : {}),
    describe: { storage: storageName, queue: queueName ?? 'unknown' },
    async dispose() {
      // The queue first: its consumers may still write to storage while they finish.
      await finalQueue.dispose().catch(onError);
      await storage.dispose().catch(onError);
      await broker?.limiter?.dispose().catch(onError);
      await broker?.dedup?.dispose().catch(onError);
      await embeddedDedup?.dispose().catch(onError);
    },
  };
}
