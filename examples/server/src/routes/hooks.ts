/**
 * @module routes/hooks
 * The public webhook endpoint. No bearer token: each request is verified by the signature scheme of
 * its source (mandatory whenever the source has a secret), then enqueued — 202 only once durable.
 */
import { z } from 'zod';
import type { RouteDeps } from '../context.js';
import { IdSchema } from '../schemas.js';

const AcceptedSchema = z.object({
  accepted: z.number(),
  ids: z.array(z.string()).describe('Ids the records will have'),
  deliveryId: z.string().optional(),
  runId: z.string().optional().describe('The pull a thin webhook queued'),
  duplicate: z.literal(true).optional().describe('Set on a redelivery of an accepted delivery'),
});

/** Path parameters of the webhook endpoint (the node:http fast path validates with the same schema). */
export const HookParams = z.object({ ws: IdSchema, source: IdSchema });

export function hookRoutes({ api, webhooks }: RouteDeps): void {
  api.add(
    {
      method: 'post',
      path: '/v1/hooks/:ws/:source',
      operationId: 'receiveWebhook',
      summary: 'Receive a webhook for a source',
      description: "Verified by the source's signature scheme over the raw body; the provider's delivery id deduplicates redeliveries.",
      tag: 'Webhooks',
      access: 'webhook',
      params: HookParams,
      body: z.unknown().describe("The provider's payload, as it sends it"),
      bodyMode: 'raw',
      responses: {
        202: { description: 'Accepted and durably enqueued', schema: AcceptedSchema },
        200: { description: 'A redelivery of an accepted delivery: nothing enqueued again', schema: AcceptedSchema },
        400: { description: 'Body not valid UTF-8 or JSON, nested deeper than `TRIBUTARY_MAX_JSON_DEPTH` (64 levels by default), or refused by the connector; `issues` names where' },
        401: { description: 'Signature missing, wrong, stale or from the future' },
        403: { description: 'The source is disabled' },
        404: { description: 'No such source, or it takes no webhooks' },
        413: { description: 'Body too large' },
        503: { description: 'Could not enqueue; retry (see Retry-After)' },
      },
    },
    (c, { params }) => webhooks.handle(c.req.raw, { workspaceId: params.ws, sourceId: params.source }),
  );
}
