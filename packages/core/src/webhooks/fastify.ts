import { createError, isTributaryError } from '../errors/index.js';
import type { WebhookHandler, WebhookParams } from './handler.js';
import { routeParams, toFetchRequest, type NodeIncomingRequest } from './node.js';
import { errorResponse } from './responses.js';

/** The parts of a Fastify request the adapter uses. */
export interface FastifyLikeRequest {
  method: string;
  url: string;
  /** A `Buffer` when the route has a buffer content-type parser (see {@link fastifyWebhookHandler}). */
  body?: unknown;
  params?: unknown;
  /** The Node request underneath. */
  raw: NodeIncomingRequest;
}

/** The parts of a Fastify reply the adapter uses. */
export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): unknown;
}

/** Options of {@link fastifyWebhookHandler}. */
export interface FastifyAdapterOptions<Req> {
  /** Which workspace and source a request is for. @default the route params `workspaceId` and `sourceId` */
  params?(request: Req): WebhookParams | undefined;
}

/**
 * A Fastify route handler. Fastify parses JSON bodies by default, which loses the bytes signatures
 * cover: register the route in a plugin scope whose parsers hand over raw buffers.
 * @example
 * app.register(async (scope) => {
 *   scope.removeAllContentTypeParsers();
 *   scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhooks.maxBodyBytes + 1 }, (_req, body, done) => done(null, body));
 *   scope.post('/webhooks/:workspaceId/:sourceId', fastifyWebhookHandler(webhooks));
 * });
 */
export function fastifyWebhookHandler<Req extends FastifyLikeRequest, Reply extends FastifyLikeReply>(
  handler: WebhookHandler,
  options: FastifyAdapterOptions<Req> = {},
): (request: Req, reply: Reply) => Promise<unknown> {
  return async (request, reply) => {
    const params = options.params ? options.params(request) : routeParams(request.params);
    const response = params ? await answer(handler, request, params) : errorResponse(createError('webhooks', 'not_found', 'the route names no workspace or source'));
    reply.code(response.status);
    response.headers.forEach((value, name) => void reply.header(name, value));
    return reply.send(Buffer.from(await response.arrayBuffer()));
  };
}

async function answer(handler: WebhookHandler, request: FastifyLikeRequest, params: WebhookParams): Promise<Response> {
  let fetchRequest: Request;
  try {
    // A body present means a parser already read the stream: only a Buffer from it is usable.
    fetchRequest = await toFetchRequest(request.raw, { maxBodyBytes: handler.maxBodyBytes, parsedBody: request.body, consumed: request.body !== undefined, method: request.method });
  } catch (error) {
    if (isTributaryError(error, 'payload_too_large') || isTributaryError(error, 'config')) return errorResponse(error);
    return errorResponse(createError('webhooks', 'validation', 'the request body could not be read'));
  }
  return handler.handle(fetchRequest, params);
}
