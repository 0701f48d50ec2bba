/**
 * @module routes/dashboard
 * The dashboard at `/` (a static page and its files) and the read models it shows beside the
 * insights (whose report has the topics): who a key is (`/v1/me`), the health of a workspace's
 * sources, and the workspace's alerts.
 */
import { z } from 'zod';
import { createError } from '@tributary/core/errors';
import { GLOBAL_SCOPE } from '@tributary/core/storage';
import type { Workspace } from '../api.js';
import { WORKSPACES, bearerToken } from '../auth.js';
import type { RouteDeps } from '../context.js';
import { createActivityLog, type ActivityLog } from '../dashboard/activity.js';
import { workspaceAlerts } from '../dashboard/alerts.js';
import { workspaceHealth } from '../dashboard/health.js';
import { DASHBOARD_ASSETS, DASHBOARD_HEADERS, DASHBOARD_PAGE } from '../dashboard/page.js';
import { httpErrors } from '../errors.js';
import { TimeSchema, WorkspaceParams, WorkspaceSchema } from '../schemas.js';

const DAY_MS = 86_400_000;
/** Workspaces listed to the admin in the picker. */
const ADMIN_WORKSPACES = 200;

const PeriodQuery = z.object({
  from: TimeSchema.optional().describe('Default: 14 days before `to`'),
  to: TimeSchema.optional().describe('Default: now'),
  bucket: z.enum(['hour', 'day', 'week']).default('day'),
});

/** The period of a query, defaults applied. */
function period(query: { from?: string; to?: string }): { from: string; to: string } {
  const to = query.to ?? new Date().toISOString();
  const from = query.from ?? new Date(Date.parse(to) - 14 * DAY_MS).toISOString();
  if (from >= to) throw createError('api', 'validation', 'from must be before to', { issues: [{ path: 'from', message: 'must be before to' }] });
  return { from, to };
}

const ActivitySchema = z.object({ at: z.string(), kind: z.string(), sourceId: z.string().optional(), destinationId: z.string().optional(), message: z.string() });

const HealthSchema = z
  .object({
    generatedAt: z.string(),
    sources: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        connector: z.string(),
        enabled: z.boolean(),
        mode: z.enum(['pull', 'push', 'pull+push']),
        schedule: z.object({ everyMs: z.number().optional(), cron: z.string().optional() }).nullable(),
        status: z.enum(['failing', 'stale', 'running', 'idle', 'healthy', 'disabled']),
        reason: z.string(),
        lastRun: z.object({ id: z.string(), status: z.string(), trigger: z.string(), requestedAt: z.string(), startedAt: z.string().nullable(), finishedAt: z.string().nullable(), pages: z.number(), items: z.number(), error: z.string().nullable() }).nullable(),
        lastSuccessAt: z.string().nullable(),
        failedRuns: z.number().describe('Failed runs among the last 10'),
        failuresInRow: z.number(),
        lastRecordAt: z.string().nullable(),
        records24h: z.number(),
        lagMs: z.number().nullable().describe('Since the last successful pull (or the last record of push-only sources)'),
        lagBasis: z.enum(['last_success', 'last_record']).nullable(),
        recentErrors: z.array(ActivitySchema).describe('Heard by this process since it started'),
      }),
    ),
    stages: z.array(
      z.object({
        stage: z.string(),
        deadLetters: z.number(),
        queue: z.object({ depth: z.number(), inFlight: z.number(), oldestAgeMs: z.number().nullable() }).nullable().describe('Shared by every workspace: admin only'),
      }),
    ),
    deadLetters: z.number(),
    deliveryErrors: z.array(ActivitySchema),
  })
  .meta({ title: 'WorkspaceHealth' });

const AlertSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['threshold', 'volume_spike', 'negative_spike', 'emerging_topic', 'source_failing', 'source_stale', 'dead_letters']),
    severity: z.enum(['critical', 'warning', 'info']),
    at: z.string(),
    title: z.string(),
    detail: z.string(),
    sourceId: z.string().optional(),
    recordId: z.string().optional(),
    topic: z.string().optional(),
  })
  .meta({ title: 'Alert' });

export function dashboardRoutes(deps: RouteDeps, options: { activity?: ActivityLog } = {}): void {
  const { api, pipeline, auth } = deps;
  const activity = options.activity ?? createActivityLog(pipeline.bus);
  const health = (workspaceId: string, admin: boolean) => workspaceHealth({ pipeline, activity }, workspaceId, { admin });

  api.add(
    {
      method: 'get',
      path: '/',
      operationId: 'dashboard',
      summary: 'The dashboard',
      description: 'Volume and sentiment over time, top topics, sources and their health, alerts and dead letters of a workspace; opens with a workspace API key or the admin token.',
      tag: 'System',
      access: 'public',
      responses: { 200: { description: 'An HTML page', contentType: 'text/html' } },
    },
    (c) => c.html(DASHBOARD_PAGE, 200, DASHBOARD_HEADERS),
  );

  // The page's own files: not API operations, so not in the OpenAPI document.
  api.app.get('/dashboard/:file', (c) => {
    c.set('route', '/dashboard/:file');
    const asset = Object.hasOwn(DASHBOARD_ASSETS, c.req.param('file')) ? DASHBOARD_ASSETS[c.req.param('file')] : undefined;
    if (!asset) throw httpErrors.notFound(`dashboard file ${JSON.stringify(c.req.param('file'))}`);
    return c.body(asset.body, 200, { ...DASHBOARD_HEADERS, 'content-type': asset.contentType });
  });

  api.add(
    {
      method: 'get',
      path: '/v1/me',
      operationId: 'whoAmI',
      summary: 'Who this token is, and the workspaces it opens',
      description: 'A workspace key opens its own workspace; the admin token lists the workspaces (the first 200).',
      tag: 'Workspaces',
      access: 'public',
      responses: {
        200: { description: 'The principal and its workspaces', schema: z.object({ principal: z.enum(['admin', 'workspace']), workspaces: z.array(WorkspaceSchema) }) },
        401: { description: 'Missing or invalid token' },
      },
    },
    async (c) => {
      const principal = await auth.identify(bearerToken(c.req.header('authorization')));
      if (!principal) throw httpErrors.unauthorized('missing or invalid token: Authorization: Bearer <workspace API key or admin token>');
      if (principal.kind === 'key') {
        const workspace = await auth.workspace(principal.workspaceId);
        return c.json({ principal: 'workspace' as const, workspaces: workspace ? [workspace] : [] });
      }
      const page = await pipeline.storage.listDocuments<Workspace>(WORKSPACES, GLOBAL_SCOPE, { limit: ADMIN_WORKSPACES });
      return c.json({ principal: 'admin' as const, workspaces: page.items.map((i) => i.document) });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/health',
      operationId: 'workspaceHealth',
      summary: 'Health of the sources and dead letters',
      description:
        "Per source: status (failing, stale, running, idle, healthy, disabled) and why, the last run, failed runs, recent errors, records of the last 24 hours and the lag since it last delivered. Per stage: the workspace's dead letters, and for the admin token the queue's depth and oldest age.",
      tag: 'Reports',
      access: 'workspace',
      params: WorkspaceParams,
      responses: { 200: { description: 'The health', schema: HealthSchema } },
    },
    async (c, { params }) => c.json(await health(params.ws, c.get('principal').kind === 'admin')),
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/alerts',
      operationId: 'listAlerts',
      summary: 'What needs attention',
      description:
        "Most severe first: value records above the workspace's alert thresholds (the records that raised record.alert messages), failing and stale sources, negative-feedback and volume spikes, dead letters, emerging topics.",
      tag: 'Reports',
      access: 'workspace',
      params: WorkspaceParams,
      query: PeriodQuery,
      responses: { 200: { description: 'The alerts', schema: z.object({ items: z.array(AlertSchema) }) } },
    },
    async (c, { params, query }) => {
      const { from, to } = period(query);
      const items = await workspaceAlerts(pipeline.storage, { workspaceId: params.ws, from, to, bucket: query.bucket, now: new Date().toISOString() }, await health(params.ws, c.get('principal').kind === 'admin'));
      return c.json({ items });
    },
  );
}
