/**
 * @module ingest/fast-path
 * The two ingest routes, `POST /v1/workspaces/:ws/records` and `POST /v1/hooks/:ws/:source`, served
 * on node:http directly, in front of the Hono app: the body read as a Buffer, no Fetch `Request`,
 * `Headers` or `Response` (the webhook handler's `handleRaw` entry takes the Buffer and node's header
 * object as they are), no router. Under load the framework's per-request work cost more
 * than the ingest itself (bench/README.md, "Ingest").
 *
 * The behaviour is the Hono routes' own, step for step, because the steps are the same functions:
 * the request id, rate limit, metrics and access log ({@link ../http-scope}), the span
 * ({@link ../telemetry/request-span}), authentication ({@link Auth.authorizeWorkspace}), the path
 * parameter schemas, the body decoding ({@link ../json-body}), the records logic
 * ({@link createRecordsIngest}) and the webhook handler. Anything unusual (another method, a path
 * Hono would normalize or decode, a doubtful Host header, a body announced over the limit) is left to
 * the Hono app, which answers it as it always did.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import { fromZodError } from '@tributary/core/errors';
import type { Pipeline } from '@tributary/core/pipeline';
import type { WebhookHandler } from '@tributary/core/webhooks';
import type { z } from 'zod';
import type { Auth } from '../auth.js';
import type { ServerConfig } from '../config.js';
import { toErrorAnswer } from '../errors.js';
import { logFailure, observeRequest, requestIdOf, takeRequestToken } from '../http-scope.js';
import { bodyTooLarge, decodeJsonBody } from '../json-body.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics.js';
import type { RequestLimiter } from '../rate-limit.js';
import { HookParams } from '../routes/hooks.js';
import { ID_MAX_LENGTH, WorkspaceParams, type IdSchema } from '../schemas.js';
import { startRequestSpan } from '../telemetry/request-span.js';
import { readNodeBodyCapped } from './node-body.js';
import { createRecordsIngest } from './records.js';

/** What the fast path needs: the same services the Hono app gets. */
export interface IngestFastPathDeps {
  config: Pick<ServerConfig, 'TRIBUTARY_MAX_BODY_BYTES' | 'TRIBUTARY_MAX_JSON_DEPTH'>;
  pipeline: Pick<Pipeline, 'ingest' | 'sources'>;
  auth: Pick<Auth, 'authorizeWorkspace'>;
  metrics: ServerMetrics;
  webhooks: WebhookHandler;
  limiter: RequestLimiter;
  log: Logger;
  tracer?: Tracer;
}

/** A node:http request listener. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The fast path: {@link IngestFastPath.claim} takes the requests it serves and leaves the rest. */
export interface IngestFastPath {
  /** Serves `req` and returns true when it is one of the ingest routes; returns false, untouched, otherwise. */
  claim(req: IncomingMessage, res: ServerResponse): boolean;
}

const RECORDS_ROUTE = '/v1/workspaces/:ws/records';
const HOOKS_ROUTE = '/v1/hooks/:ws/:source';
// Segments as they arrive, in IdSchema's alphabet (no `%`: Hono would decode those, so it keeps them);
// validateParams relies on it, leaving only the length to check.
const RECORDS_PATH = /^\/v1\/workspaces\/([A-Za-z0-9_.~:@-]+)\/records$/;
const HOOKS_PATH = /^\/v1\/hooks\/([A-Za-z0-9_.~:@-]+)\/([A-Za-z0-9_.~:@-]+)$/;
// A Host that a URL keeps as it is: anything else gets node-server's own answer.
const PLAIN_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
// Dot segments are removed by URL parsing before Hono routes: `/v1/workspaces/../records` is no records route.
const isDots = (segment: string) => segment === '.' || segment === '..';
const JSON_TYPE = 'application/json';

/** An answer ready to write. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Which route a request is for, with its path parameters (and, for webhooks, its full URL). */
interface Target {
  route: typeof RECORDS_ROUTE | typeof HOOKS_ROUTE;
  path: string;
  ws: string;
  source?: string;
  url?: string;
}

/** What a handler learns that the access log and the span report. */
interface Scope {
  workspaceId?: string;
  /** The body was over the limit and not read to its end: the connection cannot be reused. */
  closeConnection?: boolean;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Validates path parameters as the Hono routes do (400 naming each bad field). The route patterns
 * above take only {@link IdSchema}'s alphabet, so an identifier they matched can only be too long:
 * zod runs, for its answer, only then (it cost a parse, an output copy and their allocations on
 * every request).
 */
function validateParams<S extends z.ZodType>(schema: S, value: Record<string, string>): z.output<S> {
  let plain = true;
  for (const name in value) if (value[name]!.length > ID_MAX_LENGTH) plain = false;
  if (plain) return value as z.output<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromZodError('api', 'path parameters', parsed.error);
  return parsed.data;
}

/** Creates the fast path over a server's services. */
export function createIngestFastPath(deps: IngestFastPathDeps): IngestFastPath {
  const { auth, metrics, limiter, webhooks, tracer } = deps;
  const maxBodyBytes = deps.config.TRIBUTARY_MAX_BODY_BYTES;
  const ingestRecords = createRecordsIngest({ pipeline: deps.pipeline, metrics, maxJsonDepth: deps.config.TRIBUTARY_MAX_JSON_DEPTH });

  const records = async (req: IncomingMessage, ws: string, scope: Scope): Promise<Answer> => {
    // The order of the Hono route: authentication, rate limit, parameters, body, then the records.
    const { workspace } = await auth.authorizeWorkspace(single(req.headers.authorization), ws);
    scope.workspaceId = workspace.id;
    takeRequestToken(limiter, metrics, 'api', workspace.id);
    const params = validateParams(WorkspaceParams, { ws });
    const body = await readNodeBodyCapped(req, maxBodyBytes);
    if (body.over) {
      scope.closeConnection = true;
      throw bodyTooLarge(maxBodyBytes);
    }
    const accepted = await ingestRecords(params.ws, decodeJsonBody(body.bytes), body.bytes.byteLength);
    return { status: 202, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(accepted) };
  };

  const hooks = async (req: IncomingMessage, url: string, ws: string, source: string, scope: Scope): Promise<Answer> => {
    takeRequestToken(limiter, metrics, 'hooks', ws);
    const params = validateParams(HookParams, { ws, source });
    const body = await readNodeBodyCapped(req, maxBodyBytes);
    // An over-limit body goes to the handler cut at limit + 1 bytes: it answers 413 at the same step
    // as when it reads the stream itself (after finding the source, so an unknown one is still a 404).
    if (body.over) scope.closeConnection = true;
    // `return await`: an async function returning a promise as it is pays two more microtask turns.
    return await webhooks.handleRaw({ method: 'POST', url, headers: req.headers, body: body.bytes }, { workspaceId: params.ws, sourceId: params.source });
  };

  const write = (res: ServerResponse, answer: Answer, requestId: string, scope: Scope) => {
    if (res.headersSent) return;
    // One writeHead with every header: cheaper than a setHeader each.
    const headers: Record<string, string | number> = { ...answer.headers, 'x-request-id': requestId, 'content-length': Buffer.byteLength(answer.body) };
    if (scope.closeConnection) headers.connection = 'close';
    res.writeHead(answer.status, headers).end(answer.body);
  };

  /** A failure's error answer (logged when it is the server's). */
  const failed = (error: unknown, requestId: string): Answer => {
    const failure = toErrorAnswer(error);
    if (failure.serverError) logFailure(deps.log.child({ reqId: requestId }), error, failure);
    return { status: failure.status, headers: { 'content-type': JSON_TYPE, ...failure.headers }, body: JSON.stringify(failure.body) };
  };

  /** Runs the route's handler; any failure becomes its error answer. */
  const answer = async (req: IncomingMessage, target: Target, scope: Scope, requestId: string): Promise<Answer> => {
    try {
      return target.route === RECORDS_ROUTE ? await records(req, target.ws, scope) : await hooks(req, target.url!, target.ws, target.source!, scope);
    } catch (error) {
      return failed(error, requestId);
    }
  };

  // One function per request, with no closures of its own: under load each closure is garbage to
  // collect (and, run through tsx, a property definition naming it).
  const serve = async (req: IncomingMessage, res: ServerResponse, target: Target) => {
    try {
      const startedAt = performance.now();
      const requestId = requestIdOf(single(req.headers['x-request-id']));
      const scope: Scope = {};
      const { path, route } = target;
      const span = tracer ? startRequestSpan(tracer, { method: 'POST', path, requestId, traceparent: single(req.headers.traceparent) }) : undefined;
      let result: Answer;
      if (span) result = await span.run(() => answer(req, target, scope, requestId));
      else {
        // {@link answer}'s steps inline: one async frame (a promise and its turns) less per request.
        try {
          result = target.route === RECORDS_ROUTE ? await records(req, target.ws, scope) : await hooks(req, target.url!, target.ws, target.source!, scope);
        } catch (error) {
          result = failed(error, requestId);
        }
      }
      write(res, result, requestId, scope);
      span?.end({ route, status: result.status, workspaceId: scope.workspaceId });
      // The child logger (not free in pino) only when the access line is written at its level.
      observeRequest(metrics, deps.log.isLevelEnabled('info') ? deps.log.child({ reqId: requestId }) : deps.log, { method: 'POST', path, route, status: result.status, startedAt, workspaceId: scope.workspaceId });
    } catch (error) {
      fail(res, error);
    }
  };

  return {
    claim(req, res) {
      if (req.method !== 'POST' || !req.url || req.url[0] !== '/') return false;
      const host = single(req.headers.host);
      if (!host || !PLAIN_HOST.test(host)) return false;
      const declared = single(req.headers['content-length']);
      // An announced oversize body gets its 413 from the Hono routes, at their step.
      if (declared !== undefined && !(/^\d+$/.test(declared) && Number(declared) <= maxBodyBytes)) return false;
      const query = req.url.indexOf('?');
      const path = query < 0 ? req.url : req.url.slice(0, query);
      // One pattern per request: the prefix tells which could match.
      const recordsMatch = path.startsWith('/v1/hooks/') ? null : RECORDS_PATH.exec(path);
      if (recordsMatch && !isDots(recordsMatch[1]!)) {
        void serve(req, res, { route: RECORDS_ROUTE, path, ws: recordsMatch[1]! });
        return true;
      }
      const hooksMatch = HOOKS_PATH.exec(path);
      if (hooksMatch && !isDots(hooksMatch[1]!) && !isDots(hooksMatch[2]!)) {
        const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
        void serve(req, res, { route: HOOKS_ROUTE, path, ws: hooksMatch[1]!, source: hooksMatch[2]!, url: `${scheme}://${host}${req.url}` });
        return true;
      }
      return false;
    },
  };

  /** Last resort when writing the answer itself failed: nothing else is left to try. */
  function fail(res: ServerResponse, error: unknown) {
    deps.log.error({ err: { message: (error as Error)?.message } }, 'fast path failed');
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('content-type', JSON_TYPE);
      res.end(JSON.stringify({ error: { code: 'internal', message: 'internal error' } }));
    } else res.destroy();
  }
}

/**
 * A request listener that serves the ingest routes on the fast path and hands every other request
 * to `fallback` (the Hono app's listener).
 */
export function withIngestFastPath(fastPath: IngestFastPath, fallback: NodeRequestListener): NodeRequestListener {
  return (req, res) => {
    if (!fastPath.claim(req, res)) fallback(req, res);
  };
}
