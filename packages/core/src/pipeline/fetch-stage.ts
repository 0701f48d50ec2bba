import { createError, fromZodError, isTributaryError, toError } from '../errors/index.js';
import type { HandlerResult, QueueMessage } from '../queue/index.js';
import { publishBatch } from '../queue/index.js';
import type { StageContext } from './context.js';
import { chunkByBytes } from './chunk.js';
import { childTraceparent } from './ids.js';
import { RUNS } from './run-index.js';
import type { FetchJob, ParseJob, RunRecord } from './types.js';

/** The lock that keeps two runs of one source from overlapping, across processes sharing a store. */
export const fetchLockKey = (workspaceId: string, sourceId: string) => `fetch:${workspaceId}:${sourceId}`;

/**
 * Pulls one source: pages from the connector go to the parse topic, and the checkpoint is saved only
 * after a page is durably enqueued, so a run that dies resumes after its last enqueued page and a
 * failed page never advances the checkpoint.
 */
export function createFetchHandler(ctx: StageContext) {
  return async (message: QueueMessage<FetchJob>, signal: AbortSignal): Promise<HandlerResult> => {
    const job = message.payload;
    const { workspaceId, sourceId, runId } = job;
    const stored = await ctx.storage.getDocument<RunRecord>(RUNS, workspaceId, runId);
    const run: RunRecord = stored ?? {
      id: runId,
      workspaceId,
      sourceId,
      trigger: job.trigger,
      status: 'queued',
      requestedAt: job.requestedAt,
      startedAt: null,
      finishedAt: null,
      pages: 0,
      items: 0,
      error: null,
    };
    // A job published without `pipeline.trigger` (by a host's own code) still lists under its source.
    if (!stored) await ctx.runs.add(run);
    const saveRun = (patch: Partial<RunRecord>) => ctx.storage.putDocument(RUNS, workspaceId, runId, Object.assign(run, patch));
    const nowIso = () => new Date(ctx.clock.now()).toISOString();

    const lockKey = fetchLockKey(workspaceId, sourceId);
    const lease = await ctx.storage.acquireLock(lockKey, runId, ctx.lockTtlMs);
    if (!lease) {
      ctx.bus.emit('fetch.run.skipped', { workspaceId, sourceId, reason: 'locked' });
      await saveRun({ status: 'skipped', finishedAt: nowIso(), error: 'another run of this source is in progress' });
      return { action: 'ack' };
    }

    const controller = new AbortController();
    const abortRun = (reason: unknown) => controller.abort(reason);
    // Removed in `finally`: `signal` is the consumer's, alive as long as the process, and a listener
    // left on it per run would keep every finished run's closure (and its controller) reachable.
    const onConsumerAbort = () => abortRun(signal.reason);
    signal.addEventListener('abort', onConsumerAbort, { once: true });
    let renewTimer: ReturnType<StageContext['clock']['setTimeout']> | undefined;
    const renew = () => {
      renewTimer = ctx.clock.setTimeout(async () => {
        const held = await ctx.storage.renewLock(lockKey, runId, ctx.lockTtlMs).catch(() => false);
        if (!held) abortRun(createError('fetch', 'conflict', 'lost the source lock; another run took over'));
        else if (!controller.signal.aborted) renew();
      }, Math.max(1000, Math.floor(ctx.lockTtlMs / 3)));
    };
    renew();

    const started = ctx.clock.now();
    try {
      const resolved = await ctx.sources.resolve(workspaceId, sourceId);
      if (!resolved.source.enabled) {
        ctx.bus.emit('fetch.run.skipped', { workspaceId, sourceId, reason: 'disabled' });
        await saveRun({ status: 'skipped', finishedAt: nowIso(), error: 'source is disabled' });
        return { action: 'ack' };
      }
      const { connector, config, credentials } = resolved;
      if (!connector.fetch) throw createError('fetch', 'config', `connector ${connector.name} cannot pull; it only takes pushes`);

      let checkpoint = await ctx.storage.getCheckpoint(workspaceId, sourceId);
      if (checkpoint !== null && connector.checkpointSchema) {
        const parsed = connector.checkpointSchema.safeParse(checkpoint);
        if (!parsed.success) throw fromZodError(connector.name, 'stored checkpoint', parsed.error);
        checkpoint = parsed.data;
      }

      await saveRun({ status: 'running', startedAt: nowIso() });
      ctx.bus.emit('fetch.run.started', { workspaceId, sourceId, runId, trigger: job.trigger });
      const fetch = ctx.connectorFetch(`${workspaceId}:${sourceId}`, connector.rateBudget?.(config));
      let credentialsVersion = resolved.source.credentialsVersion ?? 1;
      const saveCredentials = async (next: unknown) => {
        const saved = await ctx.sources.updateCredentials(workspaceId, sourceId, next, { expectedVersion: credentialsVersion });
        if (saved) credentialsVersion++;
        ctx.bus.emit('source.credentials_rotated', { workspaceId, sourceId, saved });
        return saved;
      };
      const pages = connector.fetch({ workspaceId, sourceId, config, credentials, checkpoint, fetch, signal: controller.signal, clock: ctx.clock, saveCredentials });
      for await (const page of pages) {
        if (controller.signal.aborted) throw toError(controller.signal.reason);
        if (page.items.length > 0) {
          const receivedAt = nowIso();
          const jobs = chunkByBytes(page.items, ctx.maxMessageBytes).map((items) => ({
            payload: { workspaceId, sourceId, connector: { name: connector.name, version: connector.version }, items, receivedAt, runId } satisfies ParseJob,
            options: { headers: { traceparent: childTraceparent(message.headers.traceparent), 'x-workspace-id': workspaceId } },
          }));
          await publishBatch(ctx.queue, ctx.topics.parse, jobs);
        }
        await ctx.storage.setCheckpoint(workspaceId, sourceId, page.checkpoint);
        run.pages++;
        run.items += page.items.length;
        await saveRun({});
        ctx.bus.emit('fetch.page', { workspaceId, sourceId, runId, items: page.items.length, page: run.pages });
      }
      await saveRun({ status: 'succeeded', finishedAt: nowIso(), error: null });
      ctx.bus.emit('fetch.run.completed', { workspaceId, sourceId, runId, pages: run.pages, items: run.items, durationMs: ctx.clock.now() - started });
      return { action: 'ack' };
    } catch (thrown) {
      const error = toError(thrown);
      await saveRun({ status: 'failed', finishedAt: nowIso(), error: error.message }).catch(() => undefined);
      ctx.bus.emit('fetch.run.failed', { workspaceId, sourceId, runId, error, pages: run.pages, items: run.items });
      // Transient failures go back to the queue (with the provider's wait when it gave one); the
      // checkpoint stays at the last page that was safely enqueued.
      if (isTributaryError(error) && error.retryable) throw error;
      if (!isTributaryError(error)) throw error;
      return { action: 'ack' };
    } finally {
      signal.removeEventListener('abort', onConsumerAbort);
      if (renewTimer !== undefined) ctx.clock.clearTimeout(renewTimer);
      await ctx.storage.releaseLock(lockKey, runId).catch(() => undefined);
    }
  };
}
