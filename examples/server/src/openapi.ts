/**
 * @module openapi
 * The OpenAPI 3.1 document, generated from the route declarations' zod schemas (`z.toJSONSchema`,
 * JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { Access, RouteSpec } from './api.js';
import { ErrorSchema } from './schemas.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** `/v1/workspaces/:ws` → `/v1/workspaces/{ws}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(schema: z.ZodObject | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s as { description?: string } & JsonSchema;
    return {
      name,
      in: location,
      required: location === 'path' || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const SECURITY: Record<Access, Record<string, string[]>[] | undefined> = {
  public: [],
  webhook: [],
  admin: [{ adminToken: [] }],
  workspace: [{ workspaceKey: [] }, { adminToken: [] }],
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: jsonSchema(ErrorSchema, 'output') } } });

/** Builds the document from the declared routes. */
export function buildOpenApiDocument(routes: readonly RouteSpec[], info: { title: string; version: string; description?: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    tags.add(route.tag);
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
        ...(r.schema || r.contentType ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema ? jsonSchema(r.schema, 'output') : { type: 'string' } } } } : {}),
      };
    }
    const hasInput = route.params || route.query || route.body;
    if (hasInput) responses['400'] ??= errorResponse('Invalid request: the issues name each field.');
    if (route.access === 'admin' || route.access === 'workspace') responses['401'] ??= errorResponse('Missing or invalid bearer token.');
    if (route.access === 'workspace') {
      responses['403'] ??= errorResponse('The API key belongs to another workspace.');
      responses['404'] ??= errorResponse('No such workspace or resource.');
      responses['429'] ??= errorResponse('Per-workspace rate limit exceeded; see Retry-After.');
    }
    if (route.body && route.bodyMode !== 'raw') responses['413'] ??= errorResponse('Request body too large.');
    responses['500'] ??= errorResponse('Internal error (details are in the server log under the request id).');

    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: SECURITY[route.access],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses,
    };
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (TRIBUTARY_ADMIN_TOKEN, or generated into the data directory).' },
        workspaceKey: { type: 'http', scheme: 'bearer', description: 'A workspace API key, shown once when the workspace is created.' },
      },
    },
  };
}
