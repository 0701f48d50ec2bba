/**
 * @module feedback
 * Everything this service adds to embed Tributary: one Fastify plugin that builds a pipeline (a
 * Discourse source, the default analyzers, in-memory storage and queue), a sync route and a report
 * route. It is the whole of the wiring; `README.md` says how its lines are counted.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { discourseConnector, type DiscourseConfigInput } from '@tributary/connectors/discourse';
import { defaultAnalyzers } from '@tributary/core/analyzers/defaults';
import { createPipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { dailyReport, insightReport } from '@tributary/core/reports';
import { createMemoryStorage } from '@tributary/core/storage/memory';

/** `workspaceId`: where the forum's records go; `forum`: e.g. `{ baseUrl: 'https://meta.discourse.org', searchTerm: 'editor' }`. */
export type FeedbackOptions = { workspaceId: string; forum: DiscourseConfigInput };

const ReportQuery = z.object({ from: z.iso.date(), to: z.iso.date() }).refine((q) => q.from < q.to, { path: ['to'], message: 'must be after from' });

export const feedback: FastifyPluginAsync<FeedbackOptions> = async (app, { workspaceId, forum }) => {
  const pipeline = createPipeline({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    connectors: [discourseConnector],
    analyzers: defaultAnalyzers(), // language, sentiment, keyphrases and topics, category, moderation
  });
  const source = await pipeline.sources.create(workspaceId, { id: 'forum', name: 'Forum', connector: 'discourse', config: forum });
  await pipeline.start();
  app.addHook('onClose', () => pipeline.stop().then(() => pipeline.queue.dispose()));

  // `?wait=true` answers once the pulled posts are analyzed and stored (cron jobs, tests).
  app.post<{ Querystring: { wait?: string } }>('/sync', async (request, reply) => {
    const { runId } = await pipeline.trigger(workspaceId, source.id);
    if (request.query.wait !== 'true') return reply.code(202).send({ runId });
    await pipeline.drain({ timeoutMs: 60_000 });
    return pipeline.getRun(workspaceId, runId);
  });

  app.get('/report', async (request, reply) => {
    const query = ReportQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: 'from and to must be YYYY-MM-DD days', issues: query.error.issues });
    const window = { workspaceId, from: query.data.from, to: query.data.to };
    const [daily, insights] = await Promise.all([dailyReport(pipeline.storage, window), insightReport(pipeline.storage, { ...window, bucket: 'day' })]);
    return { daily, insights };
  });
};
