/**
 * @module api
 * Routes are declared once, with zod schemas for their path parameters, query, body and answers: the
 * same declaration validates requests (400 naming each bad field) and generates the OpenAPI document.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { fromZodError, isTributaryError } from '@tributary/core/errors';
import { readStreamCapped } from '@tributary/core/webhooks';
import { bodyTooLarge, checkDeclaredLength, decodeJsonBody } from './json-body.js';
import type { Logger } from './logger.js';

/** Who made a request. */
export type Principal = { kind: 'admin' } | { kind: 'key'; workspaceId: string; keyId: string };

/** A workspace, as stored. */
export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

/** Hono's environment of the server's app. */
export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    /** The route template that matched, e.g. `/v1/workspaces/:ws/sources` (metrics label). */
    route: string;
    principal: Principal;
    workspace: Workspace;
  };
};
export type AppContext = Context<AppEnv>;

/** Who may call a route. `workspace` routes have a `:ws` parameter and take its API key (or the admin token). */
export type Access = 'public' | 'admin' | 'workspace' | 'webhook';

/** A response of a route, for the document. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** @default 'application/json' */
  contentType?: string;
  headers?: Record<string, string>;
}

/** A route declaration. */
export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono path syntax: `/v1/workspaces/:ws`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /**
   * `validate`: the body must match `body`. `json`: the body is parsed JSON handed over as is (the
   * handler validates, e.g. entry by entry); `body` only documents it. `raw`: not read at all.
   * @default 'validate'
   */
  bodyMode?: 'validate' | 'json' | 'raw';
  responses: Record<number, ResponseSpec>;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a handler receives, validated. */
export interface RouteInput<S extends RouteSpec> {
  params: Infer<S['params']>;
  query: Infer<S['query']>;
  body: S['bodyMode'] extends 'json' ? unknown : S['bodyMode'] extends 'raw' ? undefined : Infer<S['body']>;
}

/** Reads the query string into an object; a repeated key becomes an array. */
export function queryObject(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URL(url).searchParams) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** Bodies already read, by request: the URL check and the route share one capped read (a clone's would hang past the limit). */
const bodies = new WeakMap<Request, Promise<unknown>>();

/**
 * Reads a JSON body within the size limit, once per request: later calls get the same result.
 * @throws `payload_too_large`, `validation`
 */
export function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  let body = bodies.get(request);
  if (!body) {
    body = (async () => {
      checkDeclaredLength(request.headers.get('content-length'), maxBytes);
      let raw: Uint8Array;
      try {
        raw = await readStreamCapped(request.body, maxBytes);
      } catch (error) {
        // The same message whether the length was announced or found while reading.
        throw isTributaryError(error, 'payload_too_large') ? bodyTooLarge(maxBytes) : error;
      }
      return decodeJsonBody(raw);
    })();
    bodies.set(request, body);
  }
  return body;
}

function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fromZodError('api', what, parsed.error);
  return parsed.data;
}

/** The route table: registers handlers on the app and keeps the declarations for the document. */
export class Api {
  readonly routes: RouteSpec[] = [];

  constructor(
    readonly app: Hono<AppEnv>,
    private readonly options: { guards: Record<Access, MiddlewareHandler<AppEnv>>; maxBodyBytes: number },
  ) {}

  /** Declares a route and its handler. */
  add<const S extends RouteSpec>(spec: S, handler: (c: AppContext, input: RouteInput<S>) => Response | Promise<Response>): void {
    this.routes.push(spec);
    const mode = spec.bodyMode ?? 'validate';
    const markRoute: MiddlewareHandler<AppEnv> = async (c, next) => {
      c.set('route', spec.path);
      await next();
    };
    this.app.on(spec.method.toUpperCase(), spec.path, markRoute, this.options.guards[spec.access], async (c) => {
      const params = spec.params ? validate(spec.params, c.req.param(), 'path parameters') : undefined;
      const query = spec.query ? validate(spec.query, queryObject(c.req.url), 'query') : undefined;
      let body: unknown;
      if (spec.body && mode !== 'raw') {
        const json = await readJsonBody(c.req.raw, this.options.maxBodyBytes);
        body = mode === 'validate' ? validate(spec.body, json, 'request body') : json;
      }
      return handler(c, { params, query, body } as RouteInput<S>);
    });
  }
}
