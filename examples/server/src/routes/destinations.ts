/**
 * @module routes/destinations
 * Where processed records and messages are delivered: a target (`http`, `webhook`, `slack`, `email`)
 * with its config, a rate limit the receiver accepts, and an optional filter (no filter: every
 * message). Stored through the pipeline's destination registry (`@tributary/core/destinations`):
 * secrets in the config are encrypted, bound to the workspace and destination, and never returned.
 */
import { isTributaryError, type TributaryError } from '@tributary/core/errors';
import type { DestinationView } from '@tributary/core/destinations';
import type { RouteDeps } from '../context.js';
import { httpErrors } from '../errors.js';
import { DestinationCreateSchema, DestinationPatchSchema, DestinationViewSchema, WorkspaceItemParams, WorkspaceParams, listResponse } from '../schemas.js';

/** The config field each kind's `url` fills. */
const URL_FIELD: Record<string, string> = { http: 'url', webhook: 'url', slack: 'webhookUrl', email: 'baseUrl' };

/** The API's shape of a destination: `kind`, and the URL when it is not itself a secret. */
function present(d: DestinationView) {
  const urlField = URL_FIELD[d.target];
  const url = urlField && typeof d.config[urlField] === 'string' ? (d.config[urlField] as string) : null;
  return {
    id: d.id,
    workspaceId: d.workspaceId,
    kind: d.target,
    name: d.name,
    url,
    config: d.config,
    secretFields: [...d.secretFields],
    rateLimit: d.rateLimit,
    filter: d.filter,
    enabled: d.enabled,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt ?? d.createdAt,
  };
}

/** Reports the top-level `url` as `url` rather than as the config field it fills. */
function renameUrlIssue(error: unknown, kind: string, gaveUrl: boolean): never {
  if (gaveUrl && isTributaryError(error, 'validation')) {
    for (const issue of (error as TributaryError).issues ?? []) if (issue.path === `config.${URL_FIELD[kind]}` || issue.path.startsWith(`config.${URL_FIELD[kind]}.`)) issue.path = 'url';
  }
  throw error;
}

export function destinationRoutes({ api, pipeline, targets }: RouteDeps): void {
  const checkSources = async (workspaceId: string, sourceIds: readonly string[] | undefined) => {
    for (const [index, sourceId] of (sourceIds ?? []).entries()) {
      if (!(await pipeline.sources.get(workspaceId, sourceId))) throw httpErrors.validation(`no source ${JSON.stringify(sourceId)} in this workspace`, [{ path: `filter.sourceIds.${index}`, message: 'no such source' }]);
    }
  };

  api.add(
    {
      method: 'post',
      path: '/v1/workspaces/:ws/destinations',
      operationId: 'createDestination',
      summary: 'Create a destination',
      description: 'With no filter it receives every message (record.processed for every stored record, record.notification and record.alert for value records).',
      tag: 'Destinations',
      access: 'workspace',
      params: WorkspaceParams,
      body: DestinationCreateSchema,
      responses: { 201: { description: 'Created', schema: DestinationViewSchema } },
    },
    async (c, { params, body }) => {
      if (!targets.has(body.kind)) throw httpErrors.validation(`no ${body.kind} target is installed`, [{ path: 'kind', message: 'not installed on this server' }]);
      const config: Record<string, unknown> = { ...body.config, ...(body.url !== undefined ? { [URL_FIELD[body.kind]!]: body.url } : {}) };
      await checkSources(params.ws, body.filter?.sourceIds);
      const created = await pipeline.destinations
        .create(params.ws, { target: body.kind, name: body.name ?? null, config, filter: body.filter ?? null, rateLimit: body.rateLimit, enabled: body.enabled ?? true })
        .catch((error: unknown) => renameUrlIssue(error, body.kind, body.url !== undefined));
      c.get('log').info({ workspaceId: params.ws, destinationId: created.id, kind: body.kind }, 'destination created');
      return c.json(present(created), 201);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/destinations',
      operationId: 'listDestinations',
      summary: 'List destinations',
      tag: 'Destinations',
      access: 'workspace',
      params: WorkspaceParams,
      responses: { 200: { description: 'All destinations of the workspace', schema: listResponse(DestinationViewSchema) } },
    },
    async (c, { params }) => c.json({ items: (await pipeline.destinations.list(params.ws)).map(present), nextCursor: null }),
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/destinations/:id',
      operationId: 'getDestination',
      summary: 'Get a destination',
      tag: 'Destinations',
      access: 'workspace',
      params: WorkspaceItemParams,
      responses: { 200: { description: 'The destination', schema: DestinationViewSchema } },
    },
    async (c, { params }) => {
      const destination = await pipeline.destinations.get(params.ws, params.id);
      if (!destination) throw httpErrors.notFound(`destination ${JSON.stringify(params.id)}`);
      return c.json(present(destination));
    },
  );

  api.add(
    {
      method: 'patch',
      path: '/v1/workspaces/:ws/destinations/:id',
      operationId: 'updateDestination',
      summary: 'Change a destination',
      description: 'Fields left out keep their value. `config` is merged over the stored one field by field: a secret left out stays as it is, a secret given replaces it.',
      tag: 'Destinations',
      access: 'workspace',
      params: WorkspaceItemParams,
      body: DestinationPatchSchema,
      responses: { 200: { description: 'The destination as it is now', schema: DestinationViewSchema } },
    },
    async (c, { params, body }) => {
      const current = await pipeline.destinations.get(params.ws, params.id);
      if (!current) throw httpErrors.notFound(`destination ${JSON.stringify(params.id)}`);
      const urlField = URL_FIELD[current.target];
      const config = body.config !== undefined || body.url !== undefined ? { ...body.config, ...(body.url !== undefined && urlField ? { [urlField]: body.url } : {}) } : undefined;
      if (body.filter) await checkSources(params.ws, body.filter.sourceIds);
      const updated = await pipeline.destinations
        .update(params.ws, params.id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(config !== undefined ? { config } : {}),
          ...(body.filter !== undefined ? { filter: body.filter } : {}),
          ...(body.rateLimit !== undefined ? { rateLimit: body.rateLimit } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        })
        .catch((error: unknown) => renameUrlIssue(error, current.target, body.url !== undefined));
      c.get('log').info({ workspaceId: params.ws, destinationId: params.id, fields: Object.keys(body) }, 'destination changed');
      return c.json(present(updated));
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/v1/workspaces/:ws/destinations/:id',
      operationId: 'deleteDestination',
      summary: 'Delete a destination',
      description: 'Messages still queued for it are dead-lettered when their turn comes.',
      tag: 'Destinations',
      access: 'workspace',
      params: WorkspaceItemParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (c, { params }) => {
      if (!(await pipeline.destinations.delete(params.ws, params.id))) throw httpErrors.notFound(`destination ${JSON.stringify(params.id)}`);
      return c.body(null, 204);
    },
  );
}
