/**
 * @module api-keys
 * Workspace API keys: several named keys per workspace, created, listed, rotated (with an optional
 * grace period for the old secret) and revoked. A key is `trb_<keyId>.<secret>` with 32 random bytes
 * of secret; only its SHA-256 is stored, in `api-keys` documents of the global scope looked up by the
 * non-secret key id, and compared in constant time. A per-workspace index (`api-key-index`) lists a
 * workspace's keys; usage times live in their own documents (`api-key-usage`) so that recording a
 * use can never write back a key that was revoked or rotated meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '@tributary/core/clock';
import { constantTimeEqual } from '@tributary/core/crypto';
import { createError } from '@tributary/core/errors';
import { sha256Hex } from '@tributary/core/record';
import { GLOBAL_SCOPE, type StorageAdapter } from '@tributary/core/storage';

export const API_KEYS = 'api-keys';
export const API_KEY_INDEX = 'api-key-index';
export const API_KEY_USAGE = 'api-key-usage';
const MIGRATIONS = 'migrations';
const INDEX_MIGRATION = 'api-key-index-v1';

/** A stored API key: never the key itself. Fields after `createdAt` are absent on keys made before rotation existed. */
export interface ApiKeyDocument {
  keyId: string;
  workspaceId: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  createdAt: string;
  /** @default 'default' */
  name?: string;
  /** The last four characters of the key, to tell keys apart. */
  last4?: string;
  expiresAt?: string | null;
  rotatedAt?: string | null;
  /** Hash of the secret a rotation replaced, accepted until {@link ApiKeyDocument.previousValidUntil}. */
  previousHash?: string | null;
  previousValidUntil?: string | null;
}

/** An API key as shown to clients. */
export interface ApiKeyView {
  id: string;
  name: string;
  /** The non-secret start of the key, `trb_<id>`. */
  prefix: string;
  last4: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  rotatedAt: string | null;
  /** Until when the secret replaced by the last rotation still works. */
  previousValidUntil: string | null;
  status: 'active' | 'expired';
}

/** The most keys a workspace may hold: keys are for callers, not for sessions. */
export const MAX_KEYS_PER_WORKSPACE = 50;

const KEY_FORMAT = /^trb_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;
/** SHA-256 hex digest: how tokens are stored and compared. */
export const sha256: (value: string) => string = sha256Hex;

/** The key id of a token that looks like an API key, else null. */
export function keyIdOf(token: string): string | null {
  return KEY_FORMAT.exec(token)?.[1] ?? null;
}

/** Options of {@link createApiKeyStore}. */
export interface ApiKeyStoreOptions {
  storage: StorageAdapter;
  /** @default systemClock */
  clock?: Clock;
  /** Least time between two writes of a key's `lastUsedAt`: a busy key is not a write per request. @default 60000 */
  usageWriteIntervalMs?: number;
  /** Told when recording a use failed (the request itself goes on). */
  onError?: (error: unknown) => void;
  /**
   * How long a key's document (its hashes, never the key) is trusted without a read. This store
   * drops its own entries on a revocation or rotation, but cannot hear of one made by another
   * process sharing the store: there, a revoked key keeps working for at most this long. Expiry and
   * grace periods are still checked on every request. @default 0
   */
  cacheTtlMs?: number;
}

/** The keys of every workspace. */
export interface ApiKeyStore {
  /** Issues a key; the only time its secret is seen. @throws `conflict` past {@link MAX_KEYS_PER_WORKSPACE}, `validation` for an `expiresAt` not in the future */
  create(workspaceId: string, options?: { name?: string; expiresAt?: string | null }): Promise<{ apiKey: string; key: ApiKeyView }>;
  list(workspaceId: string): Promise<ApiKeyView[]>;
  /**
   * Revokes a key: at once in this process; in others sharing the store once their cache entry
   * expires (`cacheTtlMs`). Unless `allowLast`, refuses (`conflict`) to revoke
   * the last active key of the workspace. False when there is no such key.
   */
  revoke(workspaceId: string, keyId: string, options: { allowLast: boolean }): Promise<boolean>;
  /**
   * Gives a key a new secret; the old one keeps working for `graceMs` (0: stops at once).
   * @throws `not_found`
   */
  rotate(workspaceId: string, keyId: string, options: { graceMs: number }): Promise<{ apiKey: string; key: ApiKeyView }>;
  /**
   * The workspace and key id a token opens, or null; expiry and grace periods are checked on every
   * call. Records the use (throttled). `tokenHash`, when the caller already has {@link sha256} of the
   * token (authentication compares it with the admin token's first), saves hashing it again.
   */
  verify(token: string, tokenHash?: string): Promise<{ workspaceId: string; keyId: string } | null>;
  /**
   * {@link ApiKeyStore.verify} when the key's document is cached and fresh, with no promise: the same
   * answer, or `undefined` when deciding needs a read (then call `verify`).
   */
  verifyCached(token: string, tokenHash?: string): { workspaceId: string; keyId: string } | null | undefined;
}

/** Creates the key store. */
export function createApiKeyStore(options: ApiKeyStoreOptions): ApiKeyStore {
  const { storage } = options;
  const clock = options.clock ?? systemClock;
  const usageInterval = options.usageWriteIntervalMs ?? 60_000;
  const lastWrite = new Map<string, number>();
  const cacheTtl = options.cacheTtlMs ?? 0;
  // Keyed by the non-secret key id; holds the stored document (hashes only).
  const docCache = new Map<string, { doc: ApiKeyDocument | null; until: number }>();
  // Bumped by every revocation or rotation here: a read that started before one must not be cached
  // after it, or the revoked document would be trusted again for a whole TTL.
  let generation = 0;
  const forgetKey = (keyId: string) => {
    generation++;
    docCache.delete(keyId);
  };
  /** The cached document when it is fresh; undefined when it must be read. */
  const cachedKey = (keyId: string): ApiKeyDocument | null | undefined => {
    const cached = cacheTtl > 0 ? docCache.get(keyId) : undefined;
    return cached && cached.until > clock.now() ? cached.doc : undefined;
  };
  const loadKey = async (keyId: string) => {
    const cached = cachedKey(keyId);
    if (cached !== undefined) return cached;
    const startedAt = generation;
    const doc = await storage.getDocument<ApiKeyDocument>(API_KEYS, GLOBAL_SCOPE, keyId);
    // Unknown ids are not cached: a key created by another process must work at once.
    if (cacheTtl > 0 && doc && startedAt === generation) {
      docCache.set(keyId, { doc, until: clock.now() + cacheTtl });
      if (docCache.size > 10_000) for (const k of [...docCache.keys()].slice(0, 1000)) docCache.delete(k);
    }
    return doc;
  };
  const iso = (ms = clock.now()) => new Date(ms).toISOString();
  const isExpired = (doc: ApiKeyDocument) => doc.expiresAt != null && Date.parse(doc.expiresAt) <= clock.now();

  const view = (doc: ApiKeyDocument, lastUsedAt: string | null): ApiKeyView => ({
    id: doc.keyId,
    name: doc.name ?? 'default',
    prefix: `trb_${doc.keyId}`,
    last4: doc.last4 ?? null,
    createdAt: doc.createdAt,
    lastUsedAt,
    expiresAt: doc.expiresAt ?? null,
    rotatedAt: doc.rotatedAt ?? null,
    previousValidUntil: doc.previousValidUntil && Date.parse(doc.previousValidUntil) > clock.now() ? doc.previousValidUntil : null,
    status: isExpired(doc) ? 'expired' : 'active',
  });

  const newKey = () => {
    const keyId = randomBytes(9).toString('base64url');
    const apiKey = `trb_${keyId}.${randomBytes(32).toString('base64url')}`;
    return { keyId, apiKey, hash: sha256(apiKey), last4: apiKey.slice(-4) };
  };

  // Keys made before the index existed are found once by a scan of the global scope.
  let indexed: Promise<void> | undefined;
  const ensureIndex = () =>
    (indexed ??= (async () => {
      if (await storage.getDocument(MIGRATIONS, GLOBAL_SCOPE, INDEX_MIGRATION)) return;
      let cursor: string | undefined;
      do {
        const page = await storage.listDocuments<ApiKeyDocument>(API_KEYS, GLOBAL_SCOPE, { limit: 1000, cursor });
        for (const { document } of page.items) await storage.putDocument(API_KEY_INDEX, document.workspaceId, document.keyId, { keyId: document.keyId });
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      await storage.putDocument(MIGRATIONS, GLOBAL_SCOPE, INDEX_MIGRATION, { doneAt: iso() });
    })().catch((error: unknown) => {
      indexed = undefined;
      throw error;
    }));

  const keysOf = async (workspaceId: string): Promise<ApiKeyDocument[]> => {
    await ensureIndex();
    const out: ApiKeyDocument[] = [];
    let cursor: string | undefined;
    do {
      const page = await storage.listDocuments<{ keyId: string }>(API_KEY_INDEX, workspaceId, { limit: 1000, cursor });
      for (const { id } of page.items) {
        const doc = await storage.getDocument<ApiKeyDocument>(API_KEYS, GLOBAL_SCOPE, id);
        // An index entry without its key: a creation that stopped half-way, or a revocation. Tidy it.
        if (doc && doc.workspaceId === workspaceId) out.push(doc);
        else await storage.deleteDocument(API_KEY_INDEX, workspaceId, id);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  };

  /** Serializes changes to a workspace's keys across processes (the last-key rule needs it). */
  const locked = async <T>(workspaceId: string, work: () => Promise<T>): Promise<T> => {
    const lock = `api-keys:${workspaceId}`;
    const owner = `${process.pid}:${randomBytes(6).toString('hex')}`;
    for (let tries = 0; !(await storage.acquireLock(lock, owner, 10_000)); tries++) {
      if (tries >= 100) throw createError('api-keys', 'conflict', 'the keys of this workspace are being changed by another request; try again');
      await clock.sleep(20);
    }
    try {
      return await work();
    } finally {
      await storage.releaseLock(lock, owner);
    }
  };

  const lastUsed = async (keyId: string) => (await storage.getDocument<{ lastUsedAt: string }>(API_KEY_USAGE, GLOBAL_SCOPE, keyId))?.lastUsedAt ?? null;

  return {
    create(workspaceId, o = {}) {
      if (o.expiresAt != null && !(Date.parse(o.expiresAt) > clock.now())) {
        return Promise.reject(createError('api-keys', 'validation', 'expiresAt must be in the future', { issues: [{ path: 'expiresAt', message: 'must be in the future' }] }));
      }
      return locked(workspaceId, async () => {
        if ((await keysOf(workspaceId)).length >= MAX_KEYS_PER_WORKSPACE) throw createError('api-keys', 'conflict', `a workspace holds at most ${MAX_KEYS_PER_WORKSPACE} keys: revoke one first`);
        const { keyId, apiKey, hash, last4 } = newKey();
        const doc: ApiKeyDocument = { keyId, workspaceId, hash, createdAt: iso(), name: o.name ?? 'default', last4, expiresAt: o.expiresAt ?? null, rotatedAt: null, previousHash: null, previousValidUntil: null };
        // The index first: a crash between the two writes leaves an entry the next listing tidies, never an unlisted key.
        await storage.putDocument(API_KEY_INDEX, workspaceId, keyId, { keyId });
        await storage.putDocument(API_KEYS, GLOBAL_SCOPE, keyId, doc);
        return { apiKey, key: view(doc, null) };
      });
    },

    async list(workspaceId) {
      const docs = await keysOf(workspaceId);
      const views = await Promise.all(docs.map(async (doc) => view(doc, await lastUsed(doc.keyId))));
      return views.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },

    revoke(workspaceId, keyId, { allowLast }) {
      return locked(workspaceId, async () => {
        const keys = await keysOf(workspaceId);
        if (!keys.some((k) => k.keyId === keyId)) return false;
        if (!allowLast && !keys.some((k) => k.keyId !== keyId && !isExpired(k))) {
          throw createError('api-keys', 'conflict', 'this is the last active key of the workspace: create another key first (or revoke it with the admin token)');
        }
        // The key document first: from this write on, no process accepts the key.
        await storage.deleteDocument(API_KEYS, GLOBAL_SCOPE, keyId);
        forgetKey(keyId);
        await storage.deleteDocument(API_KEY_INDEX, workspaceId, keyId);
        await storage.deleteDocument(API_KEY_USAGE, GLOBAL_SCOPE, keyId);
        return true;
      });
    },

    rotate(workspaceId, keyId, { graceMs }) {
      return locked(workspaceId, async () => {
        const doc = await storage.getDocument<ApiKeyDocument>(API_KEYS, GLOBAL_SCOPE, keyId);
        if (!doc || doc.workspaceId !== workspaceId) throw createError('api-keys', 'not_found', `API key ${JSON.stringify(keyId)} not found`);
        const apiKey = `trb_${keyId}.${randomBytes(32).toString('base64url')}`;
        const now = clock.now();
        const next: ApiKeyDocument = {
          ...doc,
          hash: sha256(apiKey),
          last4: apiKey.slice(-4),
          rotatedAt: iso(now),
          // Only the secret just replaced survives a rotation; an older one in its grace period ends now.
          previousHash: graceMs > 0 ? doc.hash : null,
          previousValidUntil: graceMs > 0 ? iso(now + graceMs) : null,
        };
        await storage.putDocument(API_KEYS, GLOBAL_SCOPE, keyId, next);
        forgetKey(keyId);
        return { apiKey, key: view(next, await lastUsed(keyId)) };
      });
    },

    async verify(token, tokenHash) {
      const keyId = keyIdOf(token);
      if (!keyId) return null;
      return check(keyId, await loadKey(keyId), token, tokenHash);
    },

    verifyCached(token, tokenHash) {
      const keyId = keyIdOf(token);
      if (!keyId) return null;
      const doc = cachedKey(keyId);
      return doc === undefined ? undefined : check(keyId, doc, token, tokenHash);
    },
  };

  /** What a token opens, given its key's document: expiry, the current and the previous secret. */
  function check(keyId: string, doc: ApiKeyDocument | null, token: string, tokenHash: string | undefined) {
    if (!doc || isExpired(doc)) return null;
    const hash = tokenHash ?? sha256(token);
    const current = constantTimeEqual(hash, doc.hash);
    // Both compared whatever the first gave, so timing does not tell which secret matched.
    const previous = doc.previousHash ? constantTimeEqual(hash, doc.previousHash) : false;
    const inGrace = previous && doc.previousValidUntil != null && Date.parse(doc.previousValidUntil) > clock.now();
    if (!current && !inGrace) return null;
    const now = clock.now();
    if (now - (lastWrite.get(keyId) ?? -Infinity) >= usageInterval) {
      lastWrite.set(keyId, now);
      if (lastWrite.size > 10_000) for (const k of [...lastWrite.keys()].slice(0, 1000)) lastWrite.delete(k);
      // Not awaited: recording a use must not slow or fail the request.
      void storage.putDocument(API_KEY_USAGE, GLOBAL_SCOPE, keyId, { lastUsedAt: iso(now) }).catch((error: unknown) => options.onError?.(error));
    }
    return { workspaceId: doc.workspaceId, keyId };
  }
}
