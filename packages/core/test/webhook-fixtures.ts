// What the webhook handler tests share: a connector that takes GitHub-signed deliveries, one item
// per delivery, and the signature such a delivery carries.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { defineConnector } from '@tributary/core/connector';

/** A connector named `hooks`: GitHub's signature scheme, each body `{ id, text }` one `hook.event` item. */
export const githubHooks = defineConnector({
  name: 'hooks',
  version: '1.0.0',
  configSchema: z.object({}),
  parse: () => [],
  webhook: {
    signatureScheme: 'github',
    parse(_request, body) {
      const p = body as { id: string; text: string };
      return { items: [{ externalId: p.id, itemType: 'hook.event', payload: p }] };
    },
  },
});

/** The `X-Hub-Signature-256` value of `body` under `secret`. */
export const githubSignature = (body: string, secret: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
