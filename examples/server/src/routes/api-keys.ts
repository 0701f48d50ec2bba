/**
 * @module routes/api-keys
 * A workspace's API keys: create (the secret is shown once), list, rotate (a new secret, the old one
 * optionally kept for a grace period) and revoke (at once, in every process). The workspace's own
 * keys and the admin token may call them; only the admin may revoke a workspace's last active key,
 * so a workspace cannot lock itself out by mistake.
 */
import { z } from 'zod';
import type { ApiKeyView } from '../api-keys.js';
import type { RouteDeps } from '../context.js';
import { httpErrors } from '../errors.js';
import { DurationSchema, IdSchema, TimeSchema, WorkspaceParams } from '../schemas.js';

/** The longest grace period of a rotated secret: long enough to roll out a new key, short enough to matter. */
const MAX_GRACE_MS = 7 * 86_400_000;

const ApiKeySchema = z
  .object({
    id: z.string().describe('Key id: the part between `trb_` and the dot'),
    name: z.string(),
    prefix: z.string().describe('The non-secret start of the key, to recognize it'),
    last4: z.string().nullable().describe('The last four characters of the key (null for keys made before they were recorded)'),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().describe('Last use, recorded at most once a minute per process'),
    expiresAt: z.string().nullable(),
    rotatedAt: z.string().nullable(),
    previousValidUntil: z.string().nullable().describe('Until when the secret replaced by the last rotation still works'),
    status: z.enum(['active', 'expired']),
    current: z.boolean().describe('True for the key that made this request'),
  })
  .meta({ title: 'ApiKey' });

const ApiKeyIssuedSchema = ApiKeySchema.extend({ apiKey: z.string().describe('The key: shown this once, stored only as a hash') }).meta({ title: 'ApiKeyIssued' });

const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('What the key is for, e.g. "ingest from the shop"'),
    expiresAt: TimeSchema.optional().describe('When the key stops working; never when absent'),
  })
  .strict();

const KeyParams = WorkspaceParams.extend({ id: IdSchema.describe('Key id') });

const RotateQuery = z.object({
  gracePeriod: DurationSchema.pipe(z.number().max(MAX_GRACE_MS, 'must be at most 7 days'))
    .optional()
    .describe('How long the old secret keeps working, e.g. "1h"; it stops at once when absent'),
});

export function apiKeyRoutes({ api, auth }: RouteDeps): void {
  const keyPath = '/v1/workspaces/:ws/api-keys';
  const show = (key: ApiKeyView, callerKeyId: string | undefined) => ({ ...key, current: key.id === callerKeyId });

  api.add(
    {
      method: 'post',
      path: keyPath,
      operationId: 'createApiKey',
      summary: 'Create an API key',
      tag: 'API keys',
      access: 'workspace',
      params: WorkspaceParams,
      body: CreateApiKeySchema,
      responses: { 201: { description: 'Created; the key is shown only here', schema: ApiKeyIssuedSchema }, 409: { description: 'The workspace holds the most keys it may' } },
    },
    async (c, { params, body }) => {
      const { apiKey, key } = await auth.keys.create(params.ws, { name: body.name, expiresAt: body.expiresAt ?? null });
      // The key id only: the key itself never reaches a log.
      c.get('log').info({ workspaceId: params.ws, keyId: key.id }, 'API key created');
      return c.json({ ...show(key, undefined), apiKey }, 201);
    },
  );

  api.add(
    {
      method: 'get',
      path: keyPath,
      operationId: 'listApiKeys',
      summary: 'List API keys',
      description: 'Their names, prefixes and use; never the keys.',
      tag: 'API keys',
      access: 'workspace',
      params: WorkspaceParams,
      responses: { 200: { description: 'Every key of the workspace, oldest first', schema: z.object({ items: z.array(ApiKeySchema), nextCursor: z.string().nullable() }) } },
    },
    async (c, { params }) => {
      const principal = c.get('principal');
      const caller = principal.kind === 'key' ? principal.keyId : undefined;
      return c.json({ items: (await auth.keys.list(params.ws)).map((k) => show(k, caller)), nextCursor: null });
    },
  );

  api.add(
    {
      method: 'post',
      path: `${keyPath}/:id/rotate`,
      operationId: 'rotateApiKey',
      summary: 'Rotate an API key',
      description: 'Gives the key a new secret (same id and name). With `gracePeriod` the old secret keeps working that long, so callers can switch without an outage.',
      tag: 'API keys',
      access: 'workspace',
      params: KeyParams,
      query: RotateQuery,
      responses: { 200: { description: 'The new key: shown only here', schema: ApiKeyIssuedSchema } },
    },
    async (c, { params, query }) => {
      const { apiKey, key } = await auth.keys.rotate(params.ws, params.id, { graceMs: query.gracePeriod ?? 0 });
      c.get('log').info({ workspaceId: params.ws, keyId: key.id, graceMs: query.gracePeriod ?? 0 }, 'API key rotated');
      const principal = c.get('principal');
      return c.json({ ...show(key, principal.kind === 'key' ? principal.keyId : undefined), apiKey });
    },
  );

  api.add(
    {
      method: 'delete',
      path: `${keyPath}/:id`,
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: "Effective at once in every process. The workspace's last active key can only be revoked with the admin token.",
      tag: 'API keys',
      access: 'workspace',
      params: KeyParams,
      responses: { 204: { description: 'Revoked' }, 409: { description: 'The last active key of the workspace (use the admin token)' } },
    },
    async (c, { params }) => {
      const principal = c.get('principal');
      if (!(await auth.keys.revoke(params.ws, params.id, { allowLast: principal.kind === 'admin' }))) throw httpErrors.notFound(`API key ${JSON.stringify(params.id)}`);
      c.get('log').info({ workspaceId: params.ws, keyId: params.id, by: principal.kind }, 'API key revoked');
      return c.body(null, 204);
    },
  );
}
