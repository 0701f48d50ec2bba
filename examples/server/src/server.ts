/**
 * @module server
 * Assembles a server process from its configuration: secrets, engines, the registry, the pipeline,
 * the scheduler and the HTTP app, for one role (`all`, or `api` / `worker` / `dispatcher` to scale
 * each part on its own).
 */
import { join } from 'node:path';
import type { Clock } from '@tributary/core/clock';
import type { FetchFunction } from '@tributary/core/connector';
import type { SecretBox } from '@tributary/core/crypto';
import { createEventBus, type StageName } from '@tributary/core/events';
import { createPipeline, STAGES, type Pipeline, type PipelineOptions } from '@tributary/core/pipeline';
import { createScheduler, sourceSchedules, type Scheduler } from '@tributary/core/scheduler';
import { GLOBAL_SCOPE } from '@tributary/core/storage';
import { createStorageDedupStore, createWebhookHandler } from '@tributary/core/webhooks';
import type { Hono } from 'hono';
import type { AppEnv, Workspace } from './api.js';
import { createApp } from './app.js';
import { createAuth, WORKSPACES, type Auth } from './auth.js';
import { isEmbedded, type ServerConfig } from './config.js';
import { createEngines, type Engines } from './engines.js';
import { createLogger, type Logger } from './logger.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';
import { createIngestFastPath, type IngestFastPath } from './ingest/fast-path.js';
import { createRequestLimiter } from './rate-limit.js';
import { loadRegistry, type Registry } from './registry.js';
import { loadSecrets, secretKeyring, type SecretsInput, type ServerSecrets } from './secrets.js';
import { createNetPolicy, type LookupFunction, type NetPolicy } from './net.js';
import { activeTraceparent } from './telemetry/traceparent.js';
import { traceQueue } from './telemetry/traced-queue.js';
import { tracingFromEnv, type Tracing } from './telemetry/tracing.js';

/** What a process does. */
export type Role = 'all' | 'api' | 'worker' | 'dispatcher';
export const ROLES: readonly Role[] = ['all', 'api', 'worker', 'dispatcher'];

/** Stages each role consumes. */
export const ROLE_STAGES: Record<Role, readonly StageName[]> = {
  all: STAGES,
  api: [],
  worker: ['fetch', 'parse', 'analyze', 'report'],
  dispatcher: ['deliver'],
};

/** Options of {@link createServer}. Everything but the config is for tests and embedding. */
export interface ServerOptions {
  config: ServerConfig;
  /** @default 'all' */
  role?: Role;
  logger?: Logger;
  /** @default from the environment, else generated into the data directory */
  secrets?: SecretsInput;
  /** @default per the configuration */
  engines?: Engines;
  /** The fetch connectors and targets use (tests inject one). @default the guarded fetch of {@link TributaryServer.net} */
  fetch?: FetchFunction;
  /** DNS lookup of the outbound policy (tests inject one). @default node:dns */
  lookup?: LookupFunction;
  /** Tracing (tests inject one with an in-memory exporter). @default OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else none */
  tracing?: Tracing;
  clock?: Clock;
  /** Extra pipeline settings (stage consumers, dispatcher). */
  pipeline?: Pick<PipelineOptions, 'stages' | 'dispatcher' | 'maxMessageBytes'>;
  /** The directory `file` sources may read. @default `TRIBUTARY_IMPORT_DIR`, else `<data dir>/imports` */
  fileRoot?: string;
  /** Time a loaded workspace is trusted without a lookup (API keys are read on every request). @default 30000 */
  authCacheTtlMs?: number;
}

/** A server process. */
export interface TributaryServer {
  app: Hono<AppEnv>;
  pipeline: Pipeline;
  scheduler: Scheduler;
  auth: Auth;
  metrics: ServerMetrics;
  engines: Engines;
  registry: Registry;
  secrets: SecretsInput & Partial<ServerSecrets>;
  secretBox: SecretBox;
  logger: Logger;
  role: Role;
  /** The outbound policy: `net.allowHost(host)` lets one more private host through (e.g. a local simulator). */
  net: NetPolicy;
  /** Tracing, when configured. */
  tracing?: Tracing;
  /**
   * The node:http fast path of the two ingest routes; it claims nothing when this role serves no API
   * or `TRIBUTARY_INGEST_FAST_PATH=false`. Put it in front of the app's listener with
   * {@link withIngestFastPath} (main.ts does).
   */
  fastPath: IngestFastPath;
  /** Starts the role's consumers and, for `all` and `worker`, the scheduler. */
  start(): Promise<void>;
  /** Stops consuming and closes the engines. */
  stop(): Promise<void>;
}

/** Lists every workspace id (the scheduler's scope). */
async function workspaceIds(storage: Engines['storage']): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await storage.listDocuments<Workspace>(WORKSPACES, GLOBAL_SCOPE, { limit: 1000, cursor });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/** Logs what the pipeline reports that an operator needs to see; never payloads or secrets. */
function logPipelineEvents(pipeline: Pipeline, log: Logger): void {
  const { bus } = pipeline;
  bus.on('stage.failed', (e) => log.warn({ stage: e.stage, messageId: e.messageId, workspaceId: e.workspaceId, attempt: e.attempt, willRetry: e.willRetry, traceId: e.traceId, error: e.error.message }, 'stage failed'));
  bus.on('message.dead_lettered', (e) => log.warn({ topic: e.topic, messageId: e.messageId, workspaceId: e.workspaceId, reason: e.reason }, 'message dead-lettered'));
  bus.on('fetch.run.started', (e) => log.info({ workspaceId: e.workspaceId, sourceId: e.sourceId, runId: e.runId, trigger: e.trigger }, 'run started'));
  bus.on('fetch.run.completed', (e) => log.info({ workspaceId: e.workspaceId, sourceId: e.sourceId, runId: e.runId, pages: e.pages, items: e.items, durationMs: e.durationMs }, 'run succeeded'));
  bus.on('fetch.run.failed', (e) => log.warn({ workspaceId: e.workspaceId, sourceId: e.sourceId, runId: e.runId, pages: e.pages, items: e.items, error: e.error.message }, 'run failed'));
  bus.on('fetch.run.skipped', (e) => log.info({ workspaceId: e.workspaceId, sourceId: e.sourceId, reason: e.reason }, 'run skipped'));
  bus.on('record.rejected', (e) => log.warn({ workspaceId: e.workspaceId, sourceId: e.sourceId, externalId: e.externalId, error: e.error.message }, 'item rejected by its parser'));
  bus.on('delivery.failed', (e) => log.warn({ target: e.target, messageId: e.messageId, status: e.status, attempt: e.attempt, willRetry: e.willRetry, error: e.error.message }, 'delivery failed'));
  bus.on('listener.error', (e) => log.error({ event: e.event, error: e.error.message }, 'event listener failed'));
}

/** Assembles a server. Nothing is consumed until {@link TributaryServer.start}. */
export async function createServer(options: ServerOptions): Promise<TributaryServer> {
  const { config } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const secrets = options.secrets ?? (await loadSecrets(config, (message) => logger.warn(message)));
  const engines = options.engines ?? (await createEngines(config, { onError: (error) => logger.warn({ error: error.message }, 'engine error'), onNotice: (message) => logger.warn(message) }));
  if (!isEmbedded(config) && !config.TRIBUTARY_SECRET_KEY) {
    logger.warn('TRIBUTARY_SECRET_KEY is not set: this process uses a key generated in its data directory; every process sharing these engines needs the same key');
  }

  const secretBox = secretKeyring(secrets);
  const registry = await loadRegistry({ fileRoot: options.fileRoot ?? config.TRIBUTARY_IMPORT_DIR ?? join(config.TRIBUTARY_DATA_DIR, 'imports') });
  const bus = createEventBus();
  const net = createNetPolicy({ allowPrivateNetwork: config.TRIBUTARY_ALLOW_PRIVATE_NETWORK, allowHosts: config.TRIBUTARY_ALLOWED_HOSTS, ...(options.lookup ? { lookup: options.lookup } : {}) });
  const ownTracing = options.tracing ? undefined : await tracingFromEnv(config);
  const tracing = options.tracing ?? ownTracing;
  const pipeline = createPipeline({
    storage: engines.storage,
    queue: tracing ? traceQueue(engines.queue, tracing.tracer) : engines.queue,
    connectors: registry.connectors,
    targets: registry.targets,
    analyzers: registry.analyzers,
    reporters: registry.reporters,
    secretKey: secretBox,
    bus,
    ...(options.clock ? { clock: options.clock } : {}),
    fetch: options.fetch ?? net.fetch,
    ...(engines.limiter ? { limiter: engines.limiter } : {}),
    // Merged ingest calls link the parse span to each request's span; read at the call.
    ...(tracing ? { activeTraceparent } : {}),
    ...options.pipeline,
  });
  logPipelineEvents(pipeline, logger);
  const metrics = createServerMetrics({ bus, queue: engines.queue, topics: pipeline.topics });
  const scheduler = createScheduler({
    trigger: (ws, src, o) => pipeline.trigger(ws, src, o),
    listSchedules: sourceSchedules(pipeline.sources, () => workspaceIds(engines.storage)),
    bus,
    storage: engines.storage,
    ...(options.clock ? { clock: options.clock } : {}),
    onError: (error, context) => logger.warn({ ...context, error: error.message }, 'scheduler error'),
  });
  // Engines this process opened from an embedded configuration have one owner, so it sees every key change itself and may cache keys.
  const ownsStore = !options.engines && isEmbedded(config);
  const auth = createAuth({ storage: engines.storage, adminToken: secrets.adminToken, keyCacheTtlMs: ownsStore ? 30_000 : config.TRIBUTARY_API_KEY_CACHE_MS, ...(options.clock ? { clock: options.clock } : {}), onError: (error) => logger.warn({ error: (error as Error).message }, 'recording an API key use failed'), ...(options.authCacheTtlMs !== undefined ? { cacheTtlMs: options.authCacheTtlMs } : {}) });
  const webhooks = createWebhookHandler({
    pipeline,
    // The engines' own dedup when they have one (Redis); else the one process on its store holds
    // webhook claims in memory: two storage writes less per delivery.
    ...(engines.dedup ? { dedup: engines.dedup } : ownsStore ? { dedup: createStorageDedupStore(engines.storage, { localClaims: true, ...(options.clock ? { clock: options.clock } : {}) }) } : {}),
    // A new delivery is answered once enqueued; its record follows, its claim held until then.
    rememberAfterAnswer: true,
    maxBodyBytes: config.TRIBUTARY_MAX_BODY_BYTES,
    maxJsonDepth: config.TRIBUTARY_MAX_JSON_DEPTH,
    ...(options.clock ? { clock: options.clock } : {}),
    onError: (error, context) => logger.error({ workspaceId: context.workspaceId, sourceId: context.sourceId, stage: context.stage, error: (error as Error)?.message }, 'webhook failed'),
  });
  const limiter = createRequestLimiter({ perSecond: config.TRIBUTARY_RATE_LIMIT, burst: config.TRIBUTARY_RATE_BURST ?? Math.max(1, config.TRIBUTARY_RATE_LIMIT * 2) });

  let schedulerRunning = false;
  const apiRoutes = role === 'all' || role === 'api';
  const fastPath: IngestFastPath =
    apiRoutes && config.TRIBUTARY_INGEST_FAST_PATH
      ? createIngestFastPath({ config, pipeline, auth, metrics, webhooks, limiter, log: logger, ...(tracing ? { tracer: tracing.tracer } : {}) })
      : { claim: () => false };
  const { app } = createApp({
    config,
    pipeline,
    auth,
    targets: new Map(registry.targets.map((t) => [t.name, t])),
    secretBox,
    metrics,
    webhooks,
    log: logger,
    engines: engines.describe,
    limiter,
    net,
    ...(tracing ? { tracer: tracing.tracer } : {}),
    startedAt: new Date(),
    apiRoutes,
    onSourcesChanged: () => {
      if (schedulerRunning) void scheduler.refresh().catch((error: Error) => logger.warn({ error: error.message }, 'scheduler refresh failed'));
    },
    publicUrl: (c) => (config.TRIBUTARY_PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, ''),
  });

  let started = false;
  return {
    app,
    pipeline,
    scheduler,
    auth,
    metrics,
    engines,
    registry,
    secrets,
    secretBox,
    logger,
    role,
    net,
    ...(tracing ? { tracing } : {}),
    fastPath,
    async start() {
      if (started) return;
      started = true;
      const stages = ROLE_STAGES[role];
      if (stages.length > 0) await pipeline.start({ stages });
      if (role === 'all' || role === 'worker') {
        await scheduler.start();
        schedulerRunning = true;
      }
    },
    async stop() {
      metrics.stop();
      if (schedulerRunning) {
        schedulerRunning = false;
        await scheduler.stop();
      }
      await pipeline.stop();
      await engines.dispose();
      await ownTracing?.shutdown().catch((error: Error) => logger.warn({ error: error.message }, 'trace export failed'));
    },
  };
}
