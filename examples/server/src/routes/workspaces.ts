/**
 * @module routes/workspaces
 * Workspaces: created by the admin, each with a first API key (named `default`) shown once; more
 * keys are managed under `/v1/workspaces/:ws/api-keys`.
 */
import { z } from 'zod';
import { newId } from '@tributary/core/pipeline';
import { GLOBAL_SCOPE } from '@tributary/core/storage';
import type { Workspace } from '../api.js';
import { WORKSPACES } from '../auth.js';
import type { RouteDeps } from '../context.js';
import { PageQuery, WorkspaceParams, WorkspaceSchema, listResponse } from '../schemas.js';

const CreateWorkspaceSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict();
const WorkspaceCreatedSchema = WorkspaceSchema.extend({ apiKey: z.string().describe('The workspace API key: shown this once, stored only as a hash') }).meta({ title: 'WorkspaceCreated' });

export function workspaceRoutes({ api, pipeline, auth }: RouteDeps): void {
  api.add(
    {
      method: 'post',
      path: '/v1/workspaces',
      operationId: 'createWorkspace',
      summary: 'Create a workspace and its API key',
      tag: 'Workspaces',
      access: 'admin',
      body: CreateWorkspaceSchema,
      responses: { 201: { description: 'Created; the API key is shown only here', schema: WorkspaceCreatedSchema } },
    },
    async (c, { body }) => {
      const workspace: Workspace = { id: newId('ws'), name: body.name, createdAt: new Date().toISOString() };
      await pipeline.storage.putDocument(WORKSPACES, GLOBAL_SCOPE, workspace.id, workspace);
      const { apiKey } = await auth.createApiKey(workspace.id, { name: 'default' });
      c.get('log').info({ workspaceId: workspace.id }, 'workspace created');
      return c.json({ ...workspace, apiKey }, 201);
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces',
      operationId: 'listWorkspaces',
      summary: 'List workspaces',
      tag: 'Workspaces',
      access: 'admin',
      query: PageQuery,
      responses: { 200: { description: 'A page of workspaces', schema: listResponse(WorkspaceSchema) } },
    },
    async (c, { query }) => {
      const page = await pipeline.storage.listDocuments<Workspace>(WORKSPACES, GLOBAL_SCOPE, query);
      return c.json({ items: page.items.map((i) => i.document), nextCursor: page.nextCursor });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws',
      operationId: 'getWorkspace',
      summary: 'Get a workspace',
      tag: 'Workspaces',
      access: 'workspace',
      params: WorkspaceParams,
      responses: { 200: { description: 'The workspace', schema: WorkspaceSchema } },
    },
    (c) => c.json(c.get('workspace')),
  );
}
