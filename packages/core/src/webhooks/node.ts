import { createError, isTributaryError } from '../errors/index.js';
import { declaredLength, payloadTooLarge, readIterableCapped } from './body.js';
import type { WebhookHandler, WebhookParams } from './handler.js';
import { errorResponse } from './responses.js';

/**
 * The parts of a Node `IncomingMessage` the adapters use (structural, so `node:http`, Express and
 * Fastify's `request.raw` all fit without core importing any of them).
 */
export interface NodeIncomingRequest extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** True once the body stream was read to its end (by a body parser, say). */
  readableEnded?: boolean;
  /** A TLS socket (`encrypted: true`) makes the URL https. */
  socket?: unknown;
}

/** The parts of a Node `ServerResponse` the adapters use. */
export interface NodeServerResponse {
  statusCode: number;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  end(chunk: Uint8Array): unknown;
}

/** Options shared by the Node-based adapters. */
export interface NodeAdapterOptions<Req> {
  /**
   * Which workspace and source a request is for. Undefined answers 404.
   * @default node:http: the last two segments of the path (`…/:workspaceId/:sourceId`); Express and
   * Fastify: the route params `workspaceId` and `sourceId`
   */
  params?(request: Req): WebhookParams | undefined;
}

// Connection-level headers describe the hop to us, not the message; the body is re-framed anyway.
const SKIPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'content-length', 'proxy-connection']);

/** Copies Node headers into Fetch `Headers` (repeated headers kept; HTTP/2 pseudo-headers skipped). */
export function toFetchHeaders(headers: NodeIncomingRequest['headers']): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':') || SKIPPED_HEADERS.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      try {
        out.append(name, v);
      } catch {
        // A header Fetch rejects (invalid characters) cannot matter to verification; drop it.
      }
    }
  }
  return out;
}

/** The absolute URL of a Node request; the Host header is only trusted to be a syntactically valid host. */
function requestUrl(request: NodeIncomingRequest): string {
  const host = typeof request.headers.host === 'string' ? request.headers.host : 'localhost';
  const scheme = (request.socket as { encrypted?: unknown } | null | undefined)?.encrypted === true ? 'https' : 'http';
  try {
    return new URL(request.url ?? '/', `${scheme}://${host}`).href;
  } catch {
    return new URL(request.url ?? '/', 'http://localhost').href;
  }
}

/** Thrown when a body parser consumed the body before the adapter saw its bytes. */
function rawBodyGone() {
  return createError(
    'webhooks',
    'config',
    'signatures are verified over the raw body, but a body parser already consumed it: give this route the raw bytes (Express: express.raw({ type: "*/*" }); Fastify: a buffer content-type parser)',
  );
}

/**
 * The raw body of a Node request, at most `maxBytes`: a `Buffer` a body parser left in `parsedBody`
 * (express.raw, Fastify's buffer parser), else the stream itself when nobody read it.
 * @throws TributaryError `payload_too_large`, or `config` when a parser turned the body into something else
 */
export async function readNodeBody(request: NodeIncomingRequest, maxBytes: number, parsedBody?: unknown, consumed = false): Promise<Uint8Array> {
  const declared = declaredLength(headerValue(request.headers['content-length']));
  if (declared !== undefined && declared > maxBytes) throw payloadTooLarge(maxBytes);
  if (parsedBody instanceof Uint8Array) {
    if (parsedBody.byteLength > maxBytes) throw payloadTooLarge(maxBytes);
    return parsedBody;
  }
  if (consumed || request.readableEnded) {
    // A parser read the stream: an empty one may have left `{}` or nothing, anything else is lost bytes.
    if (declared === 0 || (declared === undefined && parsedBody === undefined)) return new Uint8Array(0);
    throw rawBodyGone();
  }
  return readIterableCapped(request, maxBytes);
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Builds a Fetch `Request` from a Node request, reading its body with the cap (none for GET/HEAD).
 * @throws TributaryError `payload_too_large` or `config` (see {@link readNodeBody})
 */
export async function toFetchRequest(
  request: NodeIncomingRequest,
  options: { maxBodyBytes: number; parsedBody?: unknown; consumed?: boolean; method?: string; url?: string },
): Promise<Request> {
  const method = (options.method ?? request.method ?? 'GET').toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? await readNodeBody(request, options.maxBodyBytes, options.parsedBody, options.consumed) : undefined;
  return new Request(options.url ?? requestUrl(request), { method, headers: toFetchHeaders(request.headers), ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}) });
}

/** Writes a Fetch `Response` to a Node response. */
export async function writeFetchResponse(response: Response, target: NodeServerResponse): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  target.statusCode = response.status;
  response.headers.forEach((value, name) => target.setHeader(name, value));
  target.end(body);
}

/**
 * Answers a failure to read the body. After a 413 the rest of the body is never read, so the
 * connection is closed rather than reused.
 */
function bodyFailure(error: unknown): Response {
  if (isTributaryError(error, 'payload_too_large')) return errorResponse(error, { headers: { connection: 'close' } });
  if (isTributaryError(error, 'config')) return errorResponse(error);
  return errorResponse(createError('webhooks', 'validation', 'the request body could not be read'));
}

/** The last two path segments as workspace and source ids. */
export function paramsFromPath(url: string | undefined): WebhookParams | undefined {
  const path = (url ?? '/').split('?')[0]!;
  const segments = path.split('/').filter(Boolean);
  if (segments.length < 2) return undefined;
  try {
    return { workspaceId: decodeURIComponent(segments[segments.length - 2]!), sourceId: decodeURIComponent(segments[segments.length - 1]!) };
  } catch {
    return undefined;
  }
}

const notFound = () => errorResponse(createError('webhooks', 'not_found', 'the route names no workspace or source'));

/** Runs a request through the handler and writes the answer, whatever happens. */
async function serveNode(handler: WebhookHandler, res: NodeServerResponse, params: WebhookParams | undefined, build: () => Promise<Request>): Promise<void> {
  const answer = async (found: WebhookParams): Promise<Response> => {
    let request: Request;
    try {
      request = await build();
    } catch (error) {
      return bodyFailure(error);
    }
    return handler.handle(request, found);
  };
  await writeFetchResponse(params ? await answer(params) : notFound(), res);
}

/**
 * A `node:http` request listener for the webhook handler.
 * @example
 * const listener = nodeWebhookListener(webhooks, { params: (req) => ({ workspaceId: 'ws1', sourceId: 'src1' }) });
 * http.createServer((req, res) => void listener(req, res)).listen(3000);
 */
export function nodeWebhookListener<Req extends NodeIncomingRequest>(
  handler: WebhookHandler,
  options: NodeAdapterOptions<Req> = {},
): (req: Req, res: NodeServerResponse) => Promise<void> {
  return (req, res) =>
    serveNode(handler, res, options.params ? options.params(req) : paramsFromPath(req.url), () => toFetchRequest(req, { maxBodyBytes: handler.maxBodyBytes }));
}

/** The parts of an Express request the adapter uses. */
export interface ExpressLikeRequest extends NodeIncomingRequest {
  /** A `Buffer` when `express.raw()` ran on the route. */
  body?: unknown;
  params?: Record<string, string | undefined>;
  /** Set by body-parser once it has read the stream. */
  _body?: boolean;
  originalUrl?: string;
}

/**
 * An Express route handler. Give the route the raw body with `express.raw({ type: () => true })` (its
 * `limit` at least the handler's `maxBodyBytes`) or mount no body parser at all, in which case the
 * stream is read here.
 * @example
 * app.post('/webhooks/:workspaceId/:sourceId', express.raw({ type: () => true, limit: '1mb' }), expressWebhookHandler(webhooks));
 */
export function expressWebhookHandler<Req extends ExpressLikeRequest>(
  handler: WebhookHandler,
  options: NodeAdapterOptions<Req> = {},
): (req: Req, res: NodeServerResponse, next?: (error?: unknown) => void) => Promise<void> {
  return async (req, res, next) => {
    const params = options.params ? options.params(req) : routeParams(req.params);
    try {
      await serveNode(handler, res, params, () =>
        toFetchRequest(req, { maxBodyBytes: handler.maxBodyBytes, parsedBody: req.body, consumed: req._body === true, ...(req.originalUrl ? { url: absolute(req, req.originalUrl) } : {}) }),
      );
    } catch (error) {
      // Only writing the answer can fail here (a closed socket); Express's error handling takes it.
      next?.(error);
    }
  };
}

function absolute(req: NodeIncomingRequest, path: string): string {
  try {
    return new URL(path, requestUrl(req)).href;
  } catch {
    return requestUrl(req);
  }
}

/** `workspaceId` and `sourceId` from route params, if both are there. */
export function routeParams(params: unknown): WebhookParams | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const { workspaceId, sourceId } = params as Record<string, unknown>;
  return typeof workspaceId === 'string' && typeof sourceId === 'string' && workspaceId && sourceId ? { workspaceId, sourceId } : undefined;
}
