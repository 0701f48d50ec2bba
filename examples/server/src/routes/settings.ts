/**
 * @module routes/settings
 * Workspace settings read by the pipeline: alert thresholds per unit (seed 003's alerts), kept where
 * `storedThresholds` of `@tributary/core/notifications` reads them.
 */
import { z } from 'zod';
import { DecimalStringSchema } from '@tributary/core/record';
import type { RouteDeps } from '../context.js';
import { WorkspaceParams } from '../schemas.js';

const ThresholdsSchema = z
  .record(z.string().min(1).max(32).describe('Unit, e.g. EUR, or * for any unit'), DecimalStringSchema)
  .describe('A value above its threshold raises a record.alert message')
  .meta({ title: 'AlertThresholds' });

export function settingsRoutes({ api, pipeline }: RouteDeps): void {
  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/settings/alert-thresholds',
      operationId: 'getAlertThresholds',
      summary: 'Get the alert thresholds',
      tag: 'Settings',
      access: 'workspace',
      params: WorkspaceParams,
      responses: { 200: { description: 'Thresholds by unit', schema: ThresholdsSchema } },
    },
    async (c, { params }) => c.json((await pipeline.storage.getDocument<Record<string, string>>('settings', params.ws, 'alert-thresholds')) ?? {}),
  );

  api.add(
    {
      method: 'put',
      path: '/v1/workspaces/:ws/settings/alert-thresholds',
      operationId: 'setAlertThresholds',
      summary: 'Replace the alert thresholds',
      tag: 'Settings',
      access: 'workspace',
      params: WorkspaceParams,
      body: ThresholdsSchema,
      responses: { 200: { description: 'The thresholds now in force', schema: ThresholdsSchema } },
    },
    async (c, { params, body }) => {
      await pipeline.storage.putDocument('settings', params.ws, 'alert-thresholds', body);
      return c.json(body);
    },
  );
}
