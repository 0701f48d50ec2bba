/**
 * @module auth
 * Bearer authentication. The admin token opens everything; a workspace API key opens its own
 * workspace only (see `api-keys.ts` for the keys themselves). Key documents may be cached for a short,
 * configured time (the server: 2 s with shared engines, so a key revoked by another process stops
 * working here within that bound; 30 s when it owns its store alone and makes every change itself).
 * Workspaces, which never change owner, are cached briefly.
 */
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '@tributary/core/clock';
import { constantTimeEqual } from '@tributary/core/crypto';
import { GLOBAL_SCOPE, type StorageAdapter } from '@tributary/core/storage';
import type { AppEnv, Principal, Workspace } from './api.js';
import { createApiKeyStore, sha256, type ApiKeyStore } from './api-keys.js';
import { httpErrors } from './errors.js';

export { API_KEYS, type ApiKeyDocument } from './api-keys.js';
export const WORKSPACES = 'workspaces';

/** The bearer token of a request, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Authentication over the document store. */
export interface Auth {
  /** The workspaces' API keys. */
  keys: ApiKeyStore;
  /** Issues a new key for a workspace; the only time it is seen in full. */
  createApiKey(workspaceId: string, options?: { name?: string }): Promise<{ apiKey: string; keyId: string }>;
  /** Who a bearer token is, or null when it is nobody. */
  identify(token: string | undefined): Promise<Principal | null>;
  /** Loads a workspace (cached briefly). */
  workspace(id: string): Promise<Workspace | null>;
  /** Forgets cached entries of a workspace (after a change). */
  forget(workspaceId: string): void;
  /** Middleware of admin routes. */
  admin: MiddlewareHandler<AppEnv>;
  /** Middleware of workspace routes (`:ws`): its own key or the admin token. */
  workspaceAccess: MiddlewareHandler<AppEnv>;
  /**
   * What {@link Auth.workspaceAccess} decides, without a framework (the node:http fast path uses it).
   * @throws TributaryError `unauthorized` (401), `forbidden` (403) or `not_found` (404)
   */
  authorizeWorkspace(authorization: string | undefined, ws: string): Promise<{ principal: Principal; workspace: Workspace }>;
}

/** Options of {@link createAuth}. */
export interface AuthOptions {
  storage: StorageAdapter;
  adminToken: string;
  /** How long a loaded workspace is trusted without a lookup. @default 30000 */
  cacheTtlMs?: number;
  /**
   * How long a key's document is trusted without a lookup. With other processes sharing the store
   * this is how long they may keep accepting a key revoked here: keep it short. 0 reads the key on
   * every request. @default 0
   */
  keyCacheTtlMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Told when recording a key's use failed. */
  onError?: (error: unknown) => void;
}

/** Creates the server's authentication. */
export function createAuth(options: AuthOptions): Auth {
  const { storage } = options;
  const keys = createApiKeyStore({ storage, cacheTtlMs: options.keyCacheTtlMs ?? 0, ...(options.clock ? { clock: options.clock } : {}), ...(options.onError ? { onError: options.onError } : {}) });
  const now = () => options.clock?.now() ?? Date.now();
  const ttl = options.cacheTtlMs ?? 30_000;
  const adminHash = sha256(options.adminToken);
  const workspaceCache = new Map<string, { workspace: Workspace | null; until: number }>();

  const trim = <V>(cache: Map<string, V>) => {
    // Bounded: the oldest entries go first.
    if (cache.size > 10_000) for (const key of [...cache.keys()].slice(0, 1000)) cache.delete(key);
  };

  /** Who a token is when the caches can tell, with no promise; undefined when a read is needed. */
  const identifyCached = (token: string | undefined): Principal | null | undefined => {
    if (!token) return null;
    const hash = sha256(token);
    if (constantTimeEqual(hash, adminHash)) return { kind: 'admin' };
    const found = keys.verifyCached(token, hash);
    if (found === undefined) return undefined;
    return found ? { kind: 'key', workspaceId: found.workspaceId, keyId: found.keyId } : null;
  };

  /** The workspace when it is cached and fresh; undefined when it must be read. */
  const cachedWorkspace = (id: string): Workspace | undefined => {
    const cached = workspaceCache.get(id);
    return cached && cached.until > now() && cached.workspace ? cached.workspace : undefined;
  };

  /** The principal when it may open workspace `ws`; throws what {@link Auth.authorizeWorkspace} answers otherwise. */
  const admitted = (principal: Principal | null, ws: string): Principal => {
    if (!principal) throw httpErrors.unauthorized('missing or invalid API key: Authorization: Bearer <workspace API key>');
    // A key reaches its own workspace only; whether another workspace exists is not revealed.
    if (principal.kind === 'key' && principal.workspaceId !== ws) throw httpErrors.forbidden('this API key does not belong to this workspace');
    return principal;
  };

  const auth: Auth = {
    keys,

    async createApiKey(workspaceId, o = {}) {
      const { apiKey, key } = await keys.create(workspaceId, o);
      return { apiKey, keyId: key.id };
    },

    async identify(token) {
      if (!token) return null;
      // Both sides are hashes of equal length: the comparison takes the same time whatever the token.
      const hash = sha256(token);
      if (constantTimeEqual(hash, adminHash)) return { kind: 'admin' };
      const found = await keys.verify(token, hash);
      return found ? { kind: 'key', workspaceId: found.workspaceId, keyId: found.keyId } : null;
    },

    async workspace(id) {
      const cached = workspaceCache.get(id);
      if (cached && cached.until > now()) return cached.workspace;
      const workspace = await storage.getDocument<Workspace>(WORKSPACES, GLOBAL_SCOPE, id);
      // Unknown ids are not cached: a workspace created by another process must be seen at once.
      if (workspace) {
        workspaceCache.set(id, { workspace, until: now() + ttl });
        trim(workspaceCache);
      }
      return workspace;
    },

    forget(workspaceId) {
      workspaceCache.delete(workspaceId);
    },

    admin: async (c, next) => {
      const principal = await auth.identify(bearerToken(c.req.header('authorization')));
      if (!principal) throw httpErrors.unauthorized('this route needs the admin token: Authorization: Bearer <token>');
      if (principal.kind !== 'admin') throw httpErrors.forbidden('this route needs the admin token, not a workspace API key');
      c.set('principal', principal);
      await next();
    },

    authorizeWorkspace(authorization, ws) {
      const token = bearerToken(authorization);
      // From the caches when they know (every request of a busy key): one settled promise, where
      // the general path below awaits four functions in turn. Same checks, same order, same errors.
      const known = identifyCached(token);
      if (known !== undefined) {
        let principal: Principal;
        try {
          principal = admitted(known, ws);
        } catch (error) {
          return Promise.reject(error);
        }
        const workspace = cachedWorkspace(ws);
        if (workspace) return Promise.resolve({ principal, workspace });
      }
      return (async () => {
        // The caller is refused before the workspace is read: a refused caller learns nothing of it.
        const principal = admitted(known !== undefined ? known : await auth.identify(token), ws);
        const workspace = await auth.workspace(ws);
        if (!workspace) throw httpErrors.notFound(`workspace ${JSON.stringify(ws)}`);
        return { principal, workspace };
      })();
    },

    workspaceAccess: async (c, next) => {
      const { principal, workspace } = await auth.authorizeWorkspace(c.req.header('authorization'), c.req.param('ws') ?? '');
      c.set('principal', principal);
      c.set('workspace', workspace);
      await next();
    },
  };
  return auth;
}
