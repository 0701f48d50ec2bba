/**
 * @module routes/destinations
 * Where processed records and messages are delivered: a target (`http`, `webhook`, `slack`, `email`)
 * with its config, a rate limit the receiver accepts, and an optional filter (no filter: every
 * message). Secrets in the config are stored encrypted and never returned.
 */
import { fromZodError } from '@tributary/core/errors';
import { newId, type DestinationDefinition } from '@tributary/core/pipeline';
import type { RouteDeps } from '../context.js';
import { encryptSecrets, secretFieldsOf, withoutSecrets } from '../destination-secrets.js';
import { httpErrors } from '../errors.js';
import { DestinationCreateSchema, DestinationViewSchema, WorkspaceItemParams, WorkspaceParams, listResponse } from '../schemas.js';

/** The config field each kind's `url` fills. */
const URL_FIELD: Record<string, string> = { http: 'url', webhook: 'url', slack: 'webhookUrl', email: 'baseUrl' };

/** A destination as stored: the pipeline's definition plus a display name. */
type StoredDestination = DestinationDefinition & { name?: string | null };

const COLLECTION = 'destinations';

export function destinationRoutes({ api, pipeline, targets, secretBox }: RouteDeps): void {
  const present = (d: StoredDestination) => {
    const target = targets.get(d.target);
    const secretFields = target ? secretFieldsOf(target) : [];
    const config = withoutSecrets(d.config, secretFields);
    const urlField = URL_FIELD[d.target];
    const url = urlField && typeof config[urlField] === 'string' ? (config[urlField] as string) : null;
    return {
      id: d.id,
      workspaceId: d.workspaceId,
      kind: d.target,
      name: d.name ?? null,
      url,
      config,
      secretFields,
      rateLimit: d.rateLimit,
      filter: d.filter,
      enabled: d.enabled,
      createdAt: d.createdAt,
    };
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
      const target = targets.get(body.kind);
      if (!target) throw httpErrors.validation(`no ${body.kind} target is installed`, [{ path: 'kind', message: 'not installed on this server' }]);
      const urlField = URL_FIELD[body.kind]!;
      const config: Record<string, unknown> = { ...body.config, ...(body.url !== undefined ? { [urlField]: body.url } : {}) };
      const parsed = target.configSchema.safeParse(config);
      if (!parsed.success) {
        // The url given at the top level is reported as `url`; the rest under `config`.
        const error = fromZodError('api', `${body.kind} destination`, parsed.error, ['config']);
        for (const issue of error.issues) if (issue.path === `config.${urlField}` && body.url !== undefined) issue.path = 'url';
        throw error;
      }
      for (const [index, sourceId] of (body.filter?.sourceIds ?? []).entries()) {
        if (!(await pipeline.sources.get(params.ws, sourceId))) throw httpErrors.validation(`no source ${JSON.stringify(sourceId)} in this workspace`, [{ path: `filter.sourceIds.${index}`, message: 'no such source' }]);
      }
      const destination: StoredDestination = {
        id: newId('dst'),
        workspaceId: params.ws,
        target: body.kind,
        name: body.name ?? null,
        // What the client gave (validated), secrets encrypted: the target's schema applies defaults at send time.
        config: encryptSecrets(config, secretFieldsOf(target), secretBox),
        filter: body.filter ?? null,
        rateLimit: body.rateLimit,
        enabled: body.enabled ?? true,
        createdAt: new Date().toISOString(),
      };
      await pipeline.storage.putDocument(COLLECTION, params.ws, destination.id, destination);
      c.get('log').info({ workspaceId: params.ws, destinationId: destination.id, kind: body.kind }, 'destination created');
      return c.json(present(destination), 201);
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
    async (c, { params }) => {
      const items: StoredDestination[] = [];
      let cursor: string | undefined;
      do {
        const page = await pipeline.storage.listDocuments<StoredDestination>(COLLECTION, params.ws, { limit: 1000, cursor });
        items.push(...page.items.map((i) => i.document));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return c.json({ items: items.map(present), nextCursor: null });
    },
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
      const destination = await pipeline.storage.getDocument<StoredDestination>(COLLECTION, params.ws, params.id);
      if (!destination) throw httpErrors.notFound(`destination ${JSON.stringify(params.id)}`);
      return c.json(present(destination));
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
      if (!(await pipeline.storage.deleteDocument(COLLECTION, params.ws, params.id))) throw httpErrors.notFound(`destination ${JSON.stringify(params.id)}`);
      return c.body(null, 204);
    },
  );
}
