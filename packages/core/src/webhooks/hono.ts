import { createError } from '../errors/index.js';
import type { WebhookHandler, WebhookParams } from './handler.js';
import { errorResponse } from './responses.js';

/** The parts of a Hono context the adapter uses. */
export interface HonoLikeContext {
  req: {
    /** The Fetch request itself, body unread. */
    raw: Request;
    param(name: string): string | undefined;
  };
}

/** Options of {@link honoWebhookHandler}. */
export interface HonoAdapterOptions<C> {
  /** Which workspace and source a request is for. @default the route params `workspaceId` and `sourceId` */
  params?(context: C): WebhookParams | undefined;
}

/**
 * A Hono route handler: Hono already hands over a Fetch `Request`, so this only picks the params.
 * Do not read the body in a middleware before it (that would consume the stream).
 * @example
 * app.post('/webhooks/:workspaceId/:sourceId', honoWebhookHandler(webhooks));
 */
export function honoWebhookHandler<C extends HonoLikeContext>(handler: WebhookHandler, options: HonoAdapterOptions<C> = {}): (context: C) => Promise<Response> {
  return async (c) => {
    const params = options.params ? options.params(c) : defaultParams(c);
    if (!params) return errorResponse(createError('webhooks', 'not_found', 'the route names no workspace or source'));
    return handler.handle(c.req.raw, params);
  };
}

function defaultParams(c: HonoLikeContext): WebhookParams | undefined {
  const workspaceId = c.req.param('workspaceId');
  const sourceId = c.req.param('sourceId');
  return workspaceId && sourceId ? { workspaceId, sourceId } : undefined;
}
