/**
 * @module app
 * The HTTP app: request ids, JSON access logs and metrics around every request, authentication and
 * per-workspace rate limits, the routes, and one JSON shape for every error.
 */
import type { Tracer } from '@opentelemetry/api';
import { Hono, type MiddlewareHandler } from 'hono';
import { Api, type Access, type AppEnv } from './api.js';
import type { RouteDeps } from './context.js';
import { errorJson, toErrorAnswer } from './errors.js';
import { logFailure, observeRequest, requestIdOf, takeRequestToken } from './http-scope.js';
import { urlCheckMiddleware, type NetPolicy } from './net.js';
import type { RequestLimiter } from './rate-limit.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { destinationRoutes } from './routes/destinations.js';
import { hookRoutes } from './routes/hooks.js';
import { recordRoutes } from './routes/records.js';
import { reportRoutes } from './routes/reports.js';
import { settingsRoutes } from './routes/settings.js';
import { sourceRoutes } from './routes/sources.js';
import { systemRoutes } from './routes/system.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { secretKeyRoutes } from './routes/secret-key.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { tracingMiddleware } from './telemetry/http.js';

/** What {@link createApp} needs: the route dependencies minus the route table it builds. */
export interface AppDeps extends Omit<RouteDeps, 'api'> {
  /** Per-workspace request limits. */
  limiter: RequestLimiter;
  startedAt: Date;
  version?: string;
  /** Serve only health, readiness and metrics (worker and dispatcher roles). */
  apiRoutes?: boolean;
  /** Refuses source and destination URLs at private addresses when they are created. @default no check */
  net?: Pick<NetPolicy, 'checkUrl'>;
  /** A span per request, continuing an incoming `traceparent`. @default no spans */
  tracer?: Tracer;
}

/** Builds the app. */
export function createApp(deps: AppDeps): { app: Hono<AppEnv>; api: Api } {
  const app = new Hono<AppEnv>();
  const { log, metrics, limiter } = deps;

  app.use('*', async (c, next) => {
    const requestId = requestIdOf(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('log', log.child({ reqId: requestId }));
    c.set('route', 'unmatched');
    const started = performance.now();
    await next();
    try {
      c.res.headers.set('x-request-id', requestId);
    } catch {
      // Immutable headers (a response passed through as is): copy it.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('x-request-id', requestId);
    }
    observeRequest(metrics, c.get('log'), { method: c.req.method, path: new URL(c.req.url).pathname, route: c.get('route'), status: c.res.status, startedAt: started, workspaceId: c.get('workspace')?.id });
  });
  if (deps.tracer) app.use('*', tracingMiddleware(deps.tracer));

  const rateLimit =
    (kind: 'api' | 'hooks', workspaceOf: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string | undefined): MiddlewareHandler<AppEnv> =>
    async (c, next) => {
      takeRequestToken(limiter, metrics, kind, workspaceOf(c));
      await next();
    };
  const apiLimit = rateLimit('api', (c) => c.get('workspace')?.id);
  const hooksLimit = rateLimit('hooks', (c) => c.req.param('ws'));
  const checkUrls: MiddlewareHandler<AppEnv> = deps.net ? urlCheckMiddleware(deps.net, deps.config.TRIBUTARY_MAX_BODY_BYTES) : (_c, next) => next();
  const guards: Record<Access, MiddlewareHandler<AppEnv>> = {
    public: async (_c, next) => {
      await next();
    },
    admin: deps.auth.admin,
    workspace: (c, next) =>
      deps.auth.workspaceAccess(c, async () => {
        await apiLimit(c, async () => {
          await checkUrls(c, next);
        });
      }),
    webhook: hooksLimit,
  };

  const api = new Api(app, { guards, maxBodyBytes: deps.config.TRIBUTARY_MAX_BODY_BYTES });
  const routeDeps: RouteDeps = { ...deps, api };
  systemRoutes(routeDeps, { startedAt: deps.startedAt, version: deps.version ?? '0.1.0' });
  if (deps.apiRoutes !== false) {
    workspaceRoutes(routeDeps);
    apiKeyRoutes(routeDeps);
    secretKeyRoutes(routeDeps);
    sourceRoutes(routeDeps);
    hookRoutes(routeDeps);
    recordRoutes(routeDeps);
    reportRoutes(routeDeps);
    destinationRoutes(routeDeps);
    deadLetterRoutes(routeDeps);
    settingsRoutes(routeDeps);
    dashboardRoutes(routeDeps);
  }

  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404));
  app.onError((error, c) => {
    logFailure(c.get('log') ?? log, error, toErrorAnswer(error));
    return errorJson(c, error);
  });
  return { app, api };
}
