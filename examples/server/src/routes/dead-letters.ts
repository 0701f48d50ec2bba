/**
 * @module routes/dead-letters
 * Messages that failed for good, per stage topic (deliveries by default), and their replay. Only the
 * dead letters whose payload belongs to the workspace are shown or replayed: never another's.
 */
import { z } from 'zod';
import type { StageName } from '@tributary/core/events';
import type { DeadLetter } from '@tributary/core/queue';
import type { RouteDeps } from '../context.js';
import { httpErrors } from '../errors.js';
import { WorkspaceParams } from '../schemas.js';

/**
 * How many dead letters of a topic are read to find a workspace's: the queue port lists a topic's
 * dead letters without a workspace filter, so a page is filtered here.
 */
const SCAN_LIMIT = 10_000;

const StageSchema = z.enum(['fetch', 'parse', 'analyze', 'report', 'deliver']).default('deliver').describe('Stage topic');

const DeadLetterSchema = z
  .object({
    id: z.string().describe('Id to replay it with'),
    stage: z.string(),
    messageId: z.string(),
    reason: z.string(),
    failedAt: z.string(),
    attempts: z.number(),
    payload: z.unknown().describe('The message payload (for deliveries: destinationId and the message)'),
  })
  .meta({ title: 'DeadLetter' });

const belongsTo = (letter: DeadLetter, workspaceId: string) => (letter.message.payload as { workspaceId?: unknown } | null)?.workspaceId === workspaceId;

export function deadLetterRoutes({ api, pipeline }: RouteDeps): void {
  const letters = async (workspaceId: string, stage: StageName) =>
    (await pipeline.queue.listDeadLetters(pipeline.topics[stage], { limit: SCAN_LIMIT })).filter((l) => belongsTo(l, workspaceId));

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/dead-letters',
      operationId: 'listDeadLetters',
      summary: 'List dead letters',
      tag: 'Dead letters',
      access: 'workspace',
      params: WorkspaceParams,
      query: z.object({ stage: StageSchema, limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      responses: { 200: { description: 'Oldest first', schema: z.object({ items: z.array(DeadLetterSchema) }) } },
    },
    async (c, { params, query }) => {
      const items = (await letters(params.ws, query.stage)).slice(0, query.limit).map((l) => ({
        id: l.id,
        stage: query.stage,
        messageId: l.message.id,
        reason: l.reason,
        failedAt: new Date(l.failedAt).toISOString(),
        attempts: l.message.attempt,
        payload: l.message.payload,
      }));
      return c.json({ items });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/v1/workspaces/:ws/dead-letters/:id/replay',
      operationId: 'replayDeadLetter',
      summary: 'Replay a dead letter',
      description: 'Publishes it again, with a fresh attempt count, to the consumer group that gave up on it.',
      tag: 'Dead letters',
      access: 'workspace',
      params: WorkspaceParams.extend({ id: z.string().min(1).max(500) }),
      query: z.object({ stage: StageSchema }),
      responses: { 202: { description: 'Queued again', schema: z.object({ replayed: z.literal(true), id: z.string() }) } },
    },
    async (c, { params, query }) => {
      const found = (await letters(params.ws, query.stage)).some((l) => l.id === params.id);
      if (!found || !(await pipeline.queue.replayDeadLetter(pipeline.topics[query.stage], params.id))) throw httpErrors.notFound(`dead letter ${JSON.stringify(params.id)}`);
      c.get('log').info({ workspaceId: params.ws, deadLetterId: params.id, stage: query.stage }, 'dead letter replayed');
      return c.json({ replayed: true as const, id: params.id }, 202);
    },
  );
}
