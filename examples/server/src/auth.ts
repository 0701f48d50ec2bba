/**
 * @module auth
 * Bearer authentication. The admin token opens everything; a workspace API key opens its own
 * workspace only. Keys are `trb_<keyId>.<secret>` with 32 random bytes of secret; only their SHA-256
 * is stored (documents `api-keys`, looked up by the non-secret key id), and the hash is compared in
 * constant time. A key is shown once, when its workspace is created.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { constantTimeEqual } from '@tributary/core/crypto';
import { GLOBAL_SCOPE, type StorageAdapter } from '@tributary/core/storage';
import type { AppEnv, Principal, Workspace } from './api.js';
import { httpErrors } from './errors.js';

/** A stored API key: never the key itself. */
export interface ApiKeyDocument {
  keyId: string;
  workspaceId: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  createdAt: string;
}

export const API_KEYS = 'api-keys';
export const WORKSPACES = 'workspaces';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const KEY_FORMAT = /^trb_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;

/** The bearer token of a request, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Authentication over the document store, with a short cache of verified keys. */
export interface Auth {
  /** Issues a new key for a workspace; the only time it is seen in full. */
  createApiKey(workspaceId: string): Promise<{ apiKey: string; keyId: string }>;
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
}

/** Options of {@link createAuth}. */
export interface AuthOptions {
  storage: StorageAdapter;
  adminToken: string;
  /** How long a verified key or a loaded workspace is trusted without a lookup. @default 30000 */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Creates the server's authentication. */
export function createAuth(options: AuthOptions): Auth {
  const { storage } = options;
  const now = options.now ?? Date.now;
  const ttl = options.cacheTtlMs ?? 30_000;
  const adminHash = sha256(options.adminToken);
  const keyCache = new Map<string, { principal: Principal; hash: string; until: number }>();
  const workspaceCache = new Map<string, { workspace: Workspace | null; until: number }>();

  const trim = <V>(cache: Map<string, V>) => {
    // Bounded: the oldest entries go first.
    if (cache.size > 10_000) for (const key of [...cache.keys()].slice(0, 1000)) cache.delete(key);
  };

  const auth: Auth = {
    async createApiKey(workspaceId) {
      const keyId = randomBytes(9).toString('base64url');
      const apiKey = `trb_${keyId}.${randomBytes(32).toString('base64url')}`;
      const doc: ApiKeyDocument = { keyId, workspaceId, hash: sha256(apiKey), createdAt: new Date(now()).toISOString() };
      await storage.putDocument(API_KEYS, GLOBAL_SCOPE, keyId, doc);
      return { apiKey, keyId };
    },

    async identify(token) {
      if (!token) return null;
      const hash = sha256(token);
      // Both sides are hashes of equal length: the comparison takes the same time whatever the token.
      if (constantTimeEqual(hash, adminHash)) return { kind: 'admin' };
      const match = KEY_FORMAT.exec(token);
      if (!match) return null;
      const keyId = match[1]!;
      const cached = keyCache.get(keyId);
      if (cached && cached.until > now()) return constantTimeEqual(hash, cached.hash) ? cached.principal : null;
      const doc = await storage.getDocument<ApiKeyDocument>(API_KEYS, GLOBAL_SCOPE, keyId);
      if (!doc || !constantTimeEqual(hash, doc.hash)) return null;
      const principal: Principal = { kind: 'key', workspaceId: doc.workspaceId, keyId };
      keyCache.set(keyId, { principal, hash: doc.hash, until: now() + ttl });
      trim(keyCache);
      return principal;
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
      for (const [keyId, entry] of keyCache) if (entry.principal.kind === 'key' && entry.principal.workspaceId === workspaceId) keyCache.delete(keyId);
    },

    admin: async (c, next) => {
      const principal = await auth.identify(bearerToken(c.req.header('authorization')));
      if (!principal) throw httpErrors.unauthorized('this route needs the admin token: Authorization: Bearer <token>');
      if (principal.kind !== 'admin') throw httpErrors.forbidden('this route needs the admin token, not a workspace API key');
      c.set('principal', principal);
      await next();
    },

    workspaceAccess: async (c, next) => {
      const principal = await auth.identify(bearerToken(c.req.header('authorization')));
      if (!principal) throw httpErrors.unauthorized('missing or invalid API key: Authorization: Bearer <workspace API key>');
      const ws = c.req.param('ws') ?? '';
      // A key reaches its own workspace only; whether another workspace exists is not revealed.
      if (principal.kind === 'key' && principal.workspaceId !== ws) throw httpErrors.forbidden('this API key does not belong to this workspace');
      const workspace = await auth.workspace(ws);
      if (!workspace) throw httpErrors.notFound(`workspace ${JSON.stringify(ws)}`);
      c.set('principal', principal);
      c.set('workspace', workspace);
      await next();
    },
  };
  return auth;
}
