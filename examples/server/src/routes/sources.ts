/**
 * @module routes/sources
 * Sources of a workspace: a connector with its config, encrypted credentials, a schedule and a
 * webhook. Secrets are never returned. Also: queue a pull (`sync`) and list a source's runs.
 */
import { z } from 'zod';
import { createError, isTributaryError } from '@tributary/core/errors';
import type { CreateSourceInput, SourceView, UpdateSourceInput } from '@tributary/core/pipeline';
import { API_CONNECTOR_NAME, API_SOURCE_ID } from '../api-records.js';
import type { AppContext } from '../api.js';
import type { RouteDeps } from '../context.js';
import { httpErrors } from '../errors.js';
import { IdSchema, PageQuery, RunSchema, SourceCreateSchema, SourcePatchSchema, SourceViewSchema, WorkspaceItemParams, WorkspaceParams, listResponse } from '../schemas.js';

/** A provider refusing the credentials during the check is a problem with the request, not with our auth. */
function checkFailure(error: unknown): unknown {
  if (isTributaryError(error, 'unauthorized') || isTributaryError(error, 'forbidden')) {
    return createError('api', 'validation', 'the provider refused these credentials', { issues: [{ path: 'credentials', message: 'refused by the provider' }], cause: error });
  }
  return error;
}

export function sourceRoutes(deps: RouteDeps): void {
  const { api, pipeline } = deps;

  const present = (c: AppContext, view: SourceView) => {
    const connector = pipeline.connectors.get(view.connector);
    const takesHooks = view.webhook !== null && connector?.webhook !== undefined;
    return { ...view, ...(takesHooks ? { webhookUrl: `${deps.publicUrl(c)}/v1/hooks/${encodeURIComponent(view.workspaceId)}/${encodeURIComponent(view.id)}` } : {}) };
  };

  const load = async (ws: string, id: string) => {
    const source = await pipeline.sources.get(ws, id);
    if (!source) throw httpErrors.notFound(`source ${JSON.stringify(id)}`);
    return source;
  };

  const refuseInternal = (id: string) => {
    if (id === API_SOURCE_ID) throw httpErrors.conflict('the api source is managed by the server (it holds records sent to the records API)');
  };

  api.add(
    {
      method: 'post',
      path: '/v1/workspaces/:ws/sources',
      operationId: 'createSource',
      summary: 'Create a source',
      description: 'Credentials and the webhook secret are stored encrypted and never returned. With a webhook, the answer carries the URL to give the provider.',
      tag: 'Sources',
      access: 'workspace',
      params: WorkspaceParams,
      body: SourceCreateSchema,
      responses: { 201: { description: 'Created', schema: SourceViewSchema } },
    },
    async (c, { params, body }) => {
      if (body.connector === API_CONNECTOR_NAME) {
        throw httpErrors.validation('the api connector is internal: send records to POST /v1/workspaces/:ws/records', [{ path: 'connector', message: 'internal connector' }]);
      }
      const input: CreateSourceInput = {
        name: body.name,
        connector: body.connector,
        config: body.config,
        ...(body.credentials !== undefined ? { credentials: body.credentials } : {}),
        ...(body.schedule !== undefined ? { schedule: body.schedule } : {}),
        ...(body.webhook !== undefined ? { webhook: body.webhook } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.check !== undefined ? { check: body.check } : {}),
      };
      const view = await pipeline.sources.create(params.ws, input).catch((e: unknown) => {
        throw checkFailure(e);
      });
      deps.onSourcesChanged();
      c.get('log').info({ workspaceId: params.ws, sourceId: view.id, connector: view.connector }, 'source created');
      return c.json(present(c, view), 201);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/sources',
      operationId: 'listSources',
      summary: 'List sources',
      tag: 'Sources',
      access: 'workspace',
      params: WorkspaceParams,
      responses: { 200: { description: 'All sources of the workspace', schema: listResponse(SourceViewSchema) } },
    },
    async (c, { params }) => {
      const items = await pipeline.sources.list(params.ws);
      return c.json({ items: items.map((s) => present(c, s)), nextCursor: null });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/sources/:id',
      operationId: 'getSource',
      summary: 'Get a source',
      tag: 'Sources',
      access: 'workspace',
      params: WorkspaceItemParams,
      responses: { 200: { description: 'The source', schema: SourceViewSchema } },
    },
    async (c, { params }) => c.json(present(c, await load(params.ws, params.id))),
  );

  api.add(
    {
      method: 'patch',
      path: '/v1/workspaces/:ws/sources/:id',
      operationId: 'updateSource',
      summary: 'Update a source',
      description: 'Give only the fields to change; `null` clears the schedule or the webhook. The connector cannot change.',
      tag: 'Sources',
      access: 'workspace',
      params: WorkspaceItemParams,
      body: SourcePatchSchema,
      responses: { 200: { description: 'The updated source', schema: SourceViewSchema } },
    },
    async (c, { params, body }) => {
      refuseInternal(params.id);
      await load(params.ws, params.id);
      const patch: UpdateSourceInput = {};
      for (const key of ['name', 'config', 'credentials', 'schedule', 'webhook', 'enabled', 'check'] as const) {
        if (body[key] !== undefined) (patch as Record<string, unknown>)[key] = body[key];
      }
      const view = await pipeline.sources.update(params.ws, params.id, patch).catch((e: unknown) => {
        throw checkFailure(e);
      });
      deps.onSourcesChanged();
      return c.json(present(c, view));
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/v1/workspaces/:ws/sources/:id',
      operationId: 'deleteSource',
      summary: 'Delete a source',
      description: 'Its records stay; its schedule stops.',
      tag: 'Sources',
      access: 'workspace',
      params: WorkspaceItemParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (c, { params }) => {
      refuseInternal(params.id);
      if (!(await pipeline.sources.delete(params.ws, params.id))) throw httpErrors.notFound(`source ${JSON.stringify(params.id)}`);
      deps.onSourcesChanged();
      return c.body(null, 204);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/v1/workspaces/:ws/sources/:id/sync',
      operationId: 'syncSource',
      summary: 'Queue a pull of a source now',
      tag: 'Sources',
      access: 'workspace',
      params: WorkspaceItemParams,
      responses: {
        202: { description: 'Queued; follow it in the runs', schema: z.object({ runId: z.string() }) },
        409: { description: 'The source is disabled or its connector cannot pull' },
      },
    },
    async (c, { params }) => {
      const source = await load(params.ws, params.id);
      if (!source.enabled) throw httpErrors.conflict('this source is disabled');
      if (!pipeline.connectors.get(source.connector)?.fetch) throw httpErrors.conflict(`connector ${source.connector} cannot pull; it only takes pushes`);
      const { runId } = await pipeline.trigger(params.ws, params.id, { trigger: 'manual' });
      return c.json({ runId }, 202);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/sources/:id/runs',
      operationId: 'listSourceRuns',
      summary: "List a source's runs, newest first",
      tag: 'Sources',
      access: 'workspace',
      params: WorkspaceItemParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of runs: status, pages and items fetched, error', schema: listResponse(RunSchema) } },
    },
    async (c, { params, query }) => {
      await load(params.ws, params.id);
      return c.json(await pipeline.listRuns(params.ws, params.id, query));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/runs/:runId',
      operationId: 'getRun',
      summary: 'Get a run',
      tag: 'Sources',
      access: 'workspace',
      params: z.object({ ws: IdSchema, runId: IdSchema }),
      responses: { 200: { description: 'The run', schema: RunSchema } },
    },
    async (c, { params }) => {
      const run = await pipeline.getRun(params.ws, params.runId);
      if (!run) throw httpErrors.notFound(`run ${JSON.stringify(params.runId)}`);
      return c.json(run);
    },
  );
}
