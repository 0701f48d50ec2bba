import type { Analyzer } from '../analysis/index.js';
import { isoString } from '../cache/iso-string.js';
import { systemClock, type Clock } from '../clock/index.js';
import type { AnyConnector, FetchFunction, RateBudget, RawItem } from '../connector/index.js';
import { createSecretBox, type SecretBox, type SecretBoxOptions } from '../crypto/index.js';
import { createDestinationRegistry, type DestinationRegistry } from '../destinations/registry.js';
import { createError } from '../errors/index.js';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../dispatcher/dispatcher.js';
import type { RateLimiter } from '../dispatcher/limiter.js';
import { createEventBus, type EventBus, type StageName, type TributaryEvents } from '../events/index.js';
import type { QueueAdapter, Subscription } from '../queue/index.js';
import { publishBatch } from '../queue/index.js';
import { recordId } from '../record/ids.js';
import type { StorageAdapter } from '../storage/index.js';
import type { AnyTarget } from '../target/index.js';
import { createAnalyzeHandler } from './analyze-stage.js';
import { chunkByBytes } from './chunk.js';
import { createConnectorFetchFactory, type ConnectorFetchFactory } from '../http/client.js';
import type { StageContext, StageSettings } from './context.js';
import { createDeliverHandler } from './deliver-stage.js';
import { createFetchHandler } from './fetch-stage.js';
import { newId, newTraceparent } from './ids.js';
import { createParseHandler } from './parse-stage.js';
import { createReportHandler } from './report-stage.js';
import { recordProcessedReporter, type Reporter } from './reporters.js';
import type { Redaction } from './redaction.js';
import { runStage, type StageHandler } from './run-stage.js';
import { createRunIndex, RUNS } from './run-index.js';
import { createSourceCache, type SourceCacheOptions } from './source-cache.js';
import { createIngestCoalescer, type IngestCoalescerOptions } from './ingest-coalescer.js';
import { createSourceRegistry, type SourceRegistry } from './sources.js';
import type { FetchJob, ParseJob, RunRecord } from './types.js';
import type { Page } from '../storage/index.js';
import { watchEngine } from './engine-outage.js';

/** The stages in flow order. */
export const STAGES: readonly StageName[] = ['fetch', 'parse', 'analyze', 'report', 'deliver'];

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  storage: StorageAdapter;
  queue: QueueAdapter;
  connectors?: readonly AnyConnector[];
  /** Run in order on every new or edited record. @default none */
  analyzers?: readonly Analyzer[];
  targets?: readonly AnyTarget[];
  /** Turn stored changes into downstream messages. @default [recordProcessedReporter] */
  reporters?: readonly Reporter[];
  /**
   * Encrypts credentials and webhook secrets at rest: a 32-byte key (hex or base64), key options for
   * rotation, or a ready secret box. Without it, sources with secrets are refused.
   */
  secretKey?: string | SecretBoxOptions | SecretBox;
  bus?: EventBus<TributaryEvents>;
  /** @default systemClock */
  clock?: Clock;
  /** @default globalThis.fetch */
  fetch?: FetchFunction;
  /**
   * The fetch connectors get for a source.
   * @default `createConnectorFetchFactory` from `@tributary/core/http`: the connector's rate budget,
   * timeouts, retries with backoff and provider wait hints, on the pipeline's clock
   */
  connectorFetch?: (sourceKey: string, budget: RateBudget | undefined) => FetchFunction;
  /** Topic names are `<prefix>.<stage>`. @default 'tributary' */
  topicPrefix?: string;
  /** Consumer settings per stage. */
  stages?: Partial<Record<StageName, StageSettings>>;
  /** @default 256 KiB, or the queue's limit when smaller */
  maxMessageBytes?: number;
  /** @default 60000 */
  lockTtlMs?: number;
  /** Rewrites records and raw payloads before storage, e.g. personal-data redaction. */
  redaction?: Redaction;
  /** Paces deliveries per destination; share one across processes with the Redis limiter. @default in-process */
  limiter?: RateLimiter;
  /** Dispatcher settings (timeouts, waits, circuit breaking, reorder window). */
  dispatcher?: Omit<DispatcherOptions, 'limiter' | 'clock' | 'bus' | 'fetch'>;
  /**
   * The cache of sources {@link Pipeline.ingest} keeps (connector and enabled flag only, never a
   * secret). Changes through this pipeline's `sources` are seen at once; changes made by another
   * process within `ttlMs`. `false` reads the source from storage on every ingest.
   * @default { ttlMs: 5000, maxEntries: 10000 }
   */
  sourceCache?: SourceCacheOptions | false;
  /**
   * Concurrent {@link Pipeline.ingest} calls (those made before the next turn of the event loop; see
   * `ingest-coalescer.ts`) share one `publishBatch`, and single-item calls for the same source share
   * one parse message: one queue round trip and one message per source for a burst of requests or
   * webhook deliveries. Each call still resolves only once its own items are published, and fails
   * alone when the queue refuses its payload. `false` publishes each call on its own.
   * @default { maxMessages: 500, maxItemsPerMessage: 100 }
   */
  coalescePublishes?: IngestCoalescerOptions | false;
  /**
   * The trace context of the caller of {@link Pipeline.ingest}, when a tracer has a span active (the
   * server passes its OpenTelemetry span's `traceparent`): the call's parse message continues it,
   * or, when merged with other calls, links to it. Read when `ingest` is called, since its messages
   * are published a turn later, outside the caller's context.
   */
  activeTraceparent?: () => string | undefined;
}

/** Options of {@link Pipeline.ingest}. */
export interface IngestOptions {
  /** When the items arrived (kept per item when calls share a message). @default now */
  receivedAt?: Date;
  /** The trace context to continue when the pipeline's `activeTraceparent()` names none. @default a new trace */
  traceparent?: string;
  /**
   * The items' JSON size in bytes, when the caller knows it cheaply (e.g. the request body's
   * length): a single item then joins a shared message without being serialized first to measure it.
   */
  payloadBytes?: number;
}

/** Consumer defaults per stage; delivery waits for rate limits inside the handler, so its lease is long. */
const STAGE_DEFAULTS: Record<StageName, StageSettings> = {
  fetch: { concurrency: 4, maxAttempts: 5, visibilityTimeoutMs: 120_000 },
  parse: { concurrency: 4, maxAttempts: 5 },
  analyze: { concurrency: 4, maxAttempts: 5 },
  report: { concurrency: 4, maxAttempts: 5 },
  deliver: { concurrency: 16, maxAttempts: 10, visibilityTimeoutMs: 120_000 },
};

/** Options of {@link Pipeline.start}. */
export interface StartOptions {
  /** Which stages this process runs (roles). @default all */
  stages?: readonly StageName[];
}

/** A running (or startable) pipeline. */
export interface Pipeline {
  readonly bus: EventBus<TributaryEvents>;
  readonly storage: StorageAdapter;
  readonly queue: QueueAdapter;
  readonly sources: SourceRegistry;
  /** The workspaces' destinations, their secrets encrypted and bound to each destination. */
  readonly destinations: DestinationRegistry;
  readonly topics: Readonly<Record<StageName, string>>;
  readonly connectors: ReadonlyMap<string, AnyConnector>;
  /** Queues a pull of a source and returns its run id (see the `runs` documents for its status). */
  trigger(workspaceId: string, sourceId: string, options?: { trigger?: FetchJob['trigger'] }): Promise<{ runId: string }>;
  /**
   * Accepts pushed items for a source (webhooks, the records API): resolves once they are durably
   * enqueued (per the queue's durability) and returns the ids their records will have.
   */
  ingest(workspaceId: string, sourceId: string, items: readonly RawItem[], options?: IngestOptions): Promise<{ accepted: number; ids: string[] }>;
  /** Starts consuming the stages' topics. */
  start(options?: StartOptions): Promise<void>;
  /** Stops consuming; waits for messages in progress. */
  stop(): Promise<void>;
  /** Resolves when every stage topic is empty and idle (for tests and one-off jobs). */
  drain(options?: { timeoutMs?: number; pollMs?: number }): Promise<void>;
  /** A run's status. */
  getRun(workspaceId: string, runId: string): Promise<RunRecord | null>;
  /**
   * A source's runs, newest first, in pages (`nextCursor` goes into the next call's `cursor`). Reads
   * the source's run index, never the workspace's other runs. Runs queued before the index existed
   * are listed once `createRunIndex(storage).reindex(workspaceId)` indexed them.
   */
  listRuns(workspaceId: string, sourceId: string, options?: { limit?: number; cursor?: string }): Promise<Page<RunRecord>>;
}

function toSecretBox(key: PipelineOptions['secretKey']): SecretBox | undefined {
  if (key === undefined) return undefined;
  if (typeof key === 'string') return createSecretBox({ keys: { k1: key } });
  if ('encrypt' in key) return key;
  return createSecretBox(key);
}

/**
 * Creates a pipeline: fetch → parse → analyze → report → deliver, each stage a consumer of its own
 * queue topic so each scales and fails on its own. Nothing runs until {@link Pipeline.start}.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const clock = options.clock ?? systemClock;
  const bus = options.bus ?? createEventBus();
  const fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const prefix = options.topicPrefix ?? 'tributary';
  const topics = Object.fromEntries(STAGES.map((s) => [s, `${prefix}.${s}`])) as Record<StageName, string>;
  const connectors = new Map<string, AnyConnector>();
  for (const c of options.connectors ?? []) {
    if (connectors.has(c.name)) throw createError('pipeline', 'config', `two connectors are named ${c.name}`);
    connectors.set(c.name, c);
  }
  const targets = new Map((options.targets ?? []).map((t) => [t.name, t]));
  const stageSettings = Object.fromEntries(STAGES.map((s) => [s, { ...STAGE_DEFAULTS[s], ...options.stages?.[s] }])) as Record<StageName, StageSettings>;
  const dispatcher: Dispatcher = createDispatcher({ ...options.dispatcher, limiter: options.limiter, clock, bus, fetch });
  let ownFetchFactory: ConnectorFetchFactory | undefined;
  const secretBox = toSecretBox(options.secretKey);
  // What the stages use: the same adapters, with their outages recognisable (see run-stage.ts).
  const storage = watchEngine(options.storage);
  const queue = watchEngine(options.queue);
  const runs = createRunIndex(storage);
  const sources = createSourceRegistry({
    storage,
    connectors,
    secretBox,
    fetch,
    clock,
    onChange: async (workspaceId, sourceId, change) => {
      sourceCache.invalidate(workspaceId, sourceId);
      if (change === 'deleted') await runs.forget(workspaceId, sourceId);
    },
  });
  // Ingest needs only the connector and whether the source is enabled: read without decrypting anything.
  const sourceCache = createSourceCache({
    clock,
    options: options.sourceCache === false ? { ttlMs: 0 } : options.sourceCache,
    load: async (workspaceId, sourceId) => {
      const view = await sources.get(workspaceId, sourceId);
      if (!view) return null;
      const connector = connectors.get(view.connector);
      if (!connector) throw createError('pipeline', 'config', `source ${sourceId} uses connector ${JSON.stringify(view.connector)}, which this pipeline does not have`);
      return { connector: { name: connector.name, version: connector.version }, enabled: view.enabled };
    },
  });
  const destinations = createDestinationRegistry({ storage, targets, secretBox, clock });
  const ctx: StageContext = {
    storage,
    queue,
    bus,
    clock,
    fetch,
    connectorFetch: options.connectorFetch ?? (ownFetchFactory = createConnectorFetchFactory({ fetch, clock })),
    connectors,
    analyzers: options.analyzers ?? [],
    targets,
    reporters: options.reporters ?? [recordProcessedReporter],
    sources,
    destinations,
    runs,
    topics,
    maxMessageBytes: Math.min(options.maxMessageBytes ?? 256 * 1024, options.queue.capabilities.maxPayloadBytes),
    lockTtlMs: options.lockTtlMs ?? 60_000,
    redaction: options.redaction,
    dispatcher,
    deliverMaxAttempts: stageSettings.deliver.maxAttempts ?? 10,
  };
  const handlers: Record<StageName, StageHandler<never>> = {
    fetch: createFetchHandler(ctx) as StageHandler<never>,
    parse: createParseHandler(ctx) as StageHandler<never>,
    analyze: createAnalyzeHandler(ctx) as StageHandler<never>,
    report: createReportHandler(ctx) as StageHandler<never>,
    deliver: createDeliverHandler(ctx) as StageHandler<never>,
  };
  let subscriptions: Subscription[] = [];
  const iso = () => new Date(clock.now()).toISOString();
  const coalescer =
    options.coalescePublishes === false ? undefined : createIngestCoalescer({ queue: options.queue, topic: topics.parse, maxMessageBytes: ctx.maxMessageBytes, clock }, options.coalescePublishes);

  return {
    bus,
    storage: options.storage,
    queue: options.queue,
    sources,
    destinations,
    topics,
    connectors,

    async trigger(workspaceId, sourceId, o = {}) {
      const source = await sources.get(workspaceId, sourceId);
      if (!source) throw createError('pipeline', 'not_found', `source ${sourceId} not found`);
      const runId = newId('run', clock.now());
      const job: FetchJob = { workspaceId, sourceId, runId, trigger: o.trigger ?? 'manual', requestedAt: iso() };
      const run: RunRecord = { id: runId, workspaceId, sourceId, trigger: job.trigger, status: 'queued', requestedAt: job.requestedAt, startedAt: null, finishedAt: null, pages: 0, items: 0, error: null };
      await options.storage.putDocument(RUNS, workspaceId, runId, run);
      await runs.add(run);
      await options.queue.publish(topics.fetch, job, { id: runId, headers: { traceparent: newTraceparent(), 'x-workspace-id': workspaceId } });
      return { runId };
    },

    async ingest(workspaceId, sourceId, items, o = {}) {
      if (items.length === 0) return { accepted: 0, ids: [] };
      // A hit needs no await (the usual case: every request of a busy source).
      const source = sourceCache.peek(workspaceId, sourceId) ?? (await sourceCache.get(workspaceId, sourceId));
      if (!source) throw createError('sources', 'not_found', `source ${sourceId} not found in workspace ${workspaceId}`);
      if (!source.enabled) throw createError('pipeline', 'forbidden', `source ${sourceId} is disabled`);
      const { connector } = source;
      // The active span (a request's, continuing any traceparent the request brought) is the nearer parent.
      const traceparent = options.activeTraceparent?.() ?? o.traceparent;
      if (coalescer) {
        await coalescer.ingest({ workspaceId, sourceId, connector, items, traceparent, receivedAt: o.receivedAt ? isoString(o.receivedAt.getTime()) : undefined, payloadBytes: o.payloadBytes });
      } else {
        const receivedAt = (o.receivedAt ?? new Date(clock.now())).toISOString();
        const batches = chunkByBytes(items, ctx.maxMessageBytes).map((batch) => ({
          payload: { workspaceId, sourceId, connector, items: batch, receivedAt } satisfies ParseJob,
          options: { headers: { traceparent: traceparent ?? newTraceparent(), 'x-workspace-id': workspaceId } },
        }));
        await publishBatch(options.queue, topics.parse, batches);
      }
      const ids: string[] = [];
      for (const item of items) ids.push(recordId(workspaceId, sourceId, item.externalId));
      return { accepted: items.length, ids };
    },

    async start(o = {}) {
      if (subscriptions.length > 0) throw createError('pipeline', 'conflict', 'pipeline already started');
      const stages = o.stages ?? STAGES;
      for (const stage of stages) subscriptions.push(await runStage(ctx, stage, handlers[stage], stageSettings[stage]));
    },

    async stop() {
      const current = subscriptions;
      subscriptions = [];
      await Promise.all(current.map((s) => s.close()));
      await ownFetchFactory?.dispose();
    },

    async drain(o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 30_000);
      let quietRounds = 0;
      // Two consecutive empty readings: a handler may publish to the next topic just after a reading.
      while (quietRounds < 2) {
        const stats = await Promise.all(STAGES.map((s) => options.queue.stats(topics[s])));
        quietRounds = stats.every((s) => s.depth === 0 && s.inFlight === 0) ? quietRounds + 1 : 0;
        if (quietRounds >= 2) break;
        if (Date.now() > deadline) throw createError('pipeline', 'timeout', `pipeline did not drain in time: ${JSON.stringify(stats)}`);
        await new Promise((r) => setTimeout(r, o.pollMs ?? 20));
      }
    },

    getRun(workspaceId, runId) {
      return options.storage.getDocument<RunRecord>(RUNS, workspaceId, runId);
    },

    listRuns(workspaceId, sourceId, o = {}) {
      return runs.list(workspaceId, sourceId, o);
    },
  };
}
