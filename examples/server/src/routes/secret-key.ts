/**
 * @module routes/secret-key
 * The admin's re-encryption of stored secrets after `TRIBUTARY_SECRET_KEY` changed (the old key
 * moved to `TRIBUTARY_SECRET_KEY_PREVIOUS`). Each call does a batch of workspaces and answers with
 * the progress; call again until `done`. The CLI's `tributary keys rotate` runs the same job.
 */
import { z } from 'zod';
import type { RouteDeps } from '../context.js';
import { reencryptSecrets } from '../key-rotation.js';

const Counts = z.object({ scanned: z.number(), reencrypted: z.number(), failed: z.number() });
const ProgressSchema = z
  .object({
    keyId: z.string().describe('Id of the primary key (derived from it; not secret)'),
    workspacesDone: z.number(),
    workspacesTotal: z.number(),
    sources: Counts,
    destinations: Counts,
    failures: z.array(z.object({ workspaceId: z.string(), kind: z.enum(['source', 'destination']), id: z.string(), error: z.string() })),
    done: z.boolean().describe('Every workspace was visited: call again while false'),
    resumed: z.boolean().describe('This call continued where an earlier one stopped'),
  })
  .meta({ title: 'ReencryptionProgress' });

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export function secretKeyRoutes({ api, pipeline, secretBox }: RouteDeps): void {
  api.add(
    {
      method: 'post',
      path: '/v1/admin/secret-key/reencrypt',
      operationId: 'reencryptSecrets',
      summary: 'Re-encrypt stored secrets with the primary key',
      description: 'Source credentials, webhook secrets and destination secrets under a previous key (or the old destination binding) are rewritten under the primary key. Resumable and idempotent.',
      tag: 'Admin',
      access: 'admin',
      query: z.object({
        maxWorkspaces: z.coerce.number().int().min(1).max(10_000).default(100).describe('Workspaces done by this call'),
        dryRun: flag.default(false).describe('Only count what needs re-encryption'),
      }),
      responses: { 200: { description: 'Where the job stands', schema: ProgressSchema } },
    },
    async (c, { query }) => {
      const progress = await reencryptSecrets({ pipeline, secretBox, maxWorkspaces: query.maxWorkspaces, dryRun: query.dryRun, signal: c.req.raw.signal });
      c.get('log').info({ keyId: progress.keyId, dryRun: query.dryRun, workspacesDone: progress.workspacesDone, sources: progress.sources, destinations: progress.destinations, done: progress.done }, 'secret re-encryption');
      return c.json(progress);
    },
  );
}
