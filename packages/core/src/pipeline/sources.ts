import type { Clock } from '../clock/index.js';
import type { AnyConnector, FetchFunction, SignatureSchemeName } from '../connector/index.js';
import type { SecretBox } from '../crypto/index.js';
import { createError, fromZodError } from '../errors/index.js';
import type { StorageAdapter } from '../storage/index.js';
import { compileSchedule } from '../scheduler/schedule.js';
import { newId } from './ids.js';
import type { ConnectorRegistry, SourceDefinition, SourceSchedule } from './types.js';

const COLLECTION = 'sources';

/** Input to create a source. Credentials and the webhook secret are given in plain text and stored encrypted. */
export interface CreateSourceInput {
  name: string;
  connector: string;
  config?: unknown;
  credentials?: unknown;
  schedule?: SourceSchedule | null;
  webhook?: { scheme?: SignatureSchemeName; secret?: string | null } | null;
  enabled?: boolean;
  /** Call the connector's `check()` before saving. @default true when the connector has one and credentials are given */
  check?: boolean;
  /** Use this id instead of a generated one. */
  id?: string;
}

/** Fields that can change after creation. */
export type UpdateSourceInput = Partial<Omit<CreateSourceInput, 'connector' | 'id'>>;

/** A source as shown to API clients: secrets replaced by whether they are set. */
export interface SourceView extends Omit<SourceDefinition, 'credentials' | 'webhook' | 'credentialsVersion'> {
  hasCredentials: boolean;
  webhook: { scheme: SignatureSchemeName; hasSecret: boolean } | null;
}

/** A source ready to run: its connector, parsed config and decrypted credentials. */
export interface ResolvedSource {
  source: SourceDefinition;
  connector: AnyConnector;
  config: unknown;
  credentials: unknown;
  /** Decrypted webhook secret, or null. */
  webhookSecret: string | null;
}

/** Manages the sources of workspaces in storage. */
export interface SourceRegistry {
  create(workspaceId: string, input: CreateSourceInput): Promise<SourceView>;
  get(workspaceId: string, id: string): Promise<SourceView | null>;
  list(workspaceId: string): Promise<SourceView[]>;
  update(workspaceId: string, id: string, patch: UpdateSourceInput): Promise<SourceView>;
  delete(workspaceId: string, id: string): Promise<boolean>;
  /** Loads a source with its connector and decrypted secrets. @throws `not_found` */
  resolve(workspaceId: string, id: string): Promise<ResolvedSource>;
  /**
   * Replaces only the credentials (a token rotation), without calling `check()`. Compare-and-set on
   * `credentialsVersion`: false when they changed since `expectedVersion` was read.
   */
  updateCredentials(workspaceId: string, id: string, next: unknown, options: { expectedVersion: number }): Promise<boolean>;
  /**
   * Tells `listener` of every source written or deleted through this registry, before the call that
   * changed it returns, so caches of other components (the webhook handler's) drop it at once.
   * Returns the function that stops telling it. Optional so hand-made registries still fit.
   */
  onChange?(listener: SourceChangeListener): () => void;
}

/** Told of a source written or deleted through a {@link SourceRegistry}; must not throw. */
export type SourceChangeListener = (workspaceId: string, id: string, change: SourceChange) => void;

/** Hides the secrets of a stored source. */
export function toSourceView(source: SourceDefinition): SourceView {
  const { credentials, webhook, credentialsVersion: _version, ...rest } = source;
  return { ...rest, hasCredentials: credentials !== null, webhook: webhook ? { scheme: webhook.scheme, hasSecret: webhook.secret !== null } : null };
}

/** Associated data binding a ciphertext to its workspace, source and purpose, so it cannot be moved. */
const aad = (workspaceId: string, sourceId: string, purpose: string) => `${workspaceId}/${sourceId}/${purpose}`;

/** What changed about a source, for {@link createSourceRegistry}'s `onChange`. */
export type SourceChange = 'created' | 'updated' | 'credentials' | 'deleted';

/** Creates the source registry. */
export function createSourceRegistry(deps: {
  storage: StorageAdapter;
  connectors: ConnectorRegistry;
  secretBox?: SecretBox;
  fetch: FetchFunction;
  clock: Clock;
  /**
   * Called after a source was written or deleted through this registry, before the call returns
   * (caches drop the source; a deleted source's run index is removed). Its rejection fails the call.
   */
  onChange?: (workspaceId: string, id: string, change: SourceChange) => void | Promise<void>;
}): SourceRegistry {
  const { storage, connectors, secretBox, clock } = deps;
  const listeners = new Set<SourceChangeListener>();
  const changed = async (workspaceId: string, id: string, change: SourceChange) => {
    // Listeners first: they only drop cache entries, and must do so even if the hook below fails.
    for (const listener of listeners) listener(workspaceId, id, change);
    await deps.onChange?.(workspaceId, id, change);
  };

  const connectorFor = (name: string): AnyConnector => {
    const connector = connectors.get(name);
    if (!connector) {
      throw createError('sources', 'validation', `unknown connector ${JSON.stringify(name)}; available: ${[...connectors.keys()].join(', ') || 'none'}`, {
        issues: [{ path: 'connector', message: `unknown connector; available: ${[...connectors.keys()].join(', ')}` }],
      });
    }
    return connector;
  };

  const requireBox = (what: string): SecretBox => {
    if (!secretBox) throw createError('sources', 'config', `${what} given but no encryption key is configured (secretKey): secrets are never stored in plain text`);
    return secretBox;
  };

  const parseConfig = (connector: AnyConnector, config: unknown) => {
    const parsed = connector.configSchema.safeParse(config ?? {});
    if (!parsed.success) throw fromZodError(connector.name, 'config', parsed.error, ['config']);
    return parsed.data;
  };

  const parseCredentials = (connector: AnyConnector, credentials: unknown) => {
    if (credentials === undefined || credentials === null) return null;
    if (!connector.credentialsSchema) throw createError(connector.name, 'validation', 'this connector takes no credentials', { issues: [{ path: 'credentials', message: 'not accepted by this connector' }] });
    const parsed = connector.credentialsSchema.safeParse(credentials);
    if (!parsed.success) throw fromZodError(connector.name, 'credentials', parsed.error, ['credentials']);
    return parsed.data;
  };

  const validateSchedule = (schedule: SourceSchedule | null | undefined) => {
    if (!schedule) return null;
    if (schedule.everyMs !== undefined && (!Number.isFinite(schedule.everyMs) || schedule.everyMs < 1000)) {
      throw createError('sources', 'validation', 'schedule.everyMs must be at least 1000', { issues: [{ path: 'schedule.everyMs', message: 'must be at least 1000' }] });
    }
    // Compiling rejects a bad cron expression now, naming it, rather than at the first tick.
    compileSchedule(schedule);
    return schedule;
  };

  const check = async (connector: AnyConnector, config: unknown, credentials: unknown) => {
    if (!connector.check) return;
    await connector.check({ config, credentials, fetch: deps.fetch, signal: AbortSignal.timeout(15_000) });
  };

  const load = async (workspaceId: string, id: string) => storage.getDocument<SourceDefinition>(COLLECTION, workspaceId, id);

  const registry: SourceRegistry = {
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    async create(workspaceId, input) {
      const connector = connectorFor(input.connector);
      const config = parseConfig(connector, input.config);
      const credentials = parseCredentials(connector, input.credentials);
      const schedule = validateSchedule(input.schedule);
      if (!input.name || typeof input.name !== 'string') throw createError('sources', 'validation', 'name is required', { issues: [{ path: 'name', message: 'required' }] });
      if (input.check ?? credentials !== null) await check(connector, config, credentials);
      const id = input.id ?? newId('src', clock.now());
      const now = new Date(clock.now()).toISOString();
      const webhookSecret = input.webhook?.secret ?? null;
      const source: SourceDefinition = {
        id,
        workspaceId,
        name: input.name,
        connector: connector.name,
        config,
        credentials: credentials === null ? null : requireBox('credentials').encryptJson(credentials, aad(workspaceId, id, 'credentials')),
        credentialsVersion: 1,
        schedule,
        webhook: input.webhook
          ? {
              scheme: input.webhook.scheme ?? connector.webhook?.signatureScheme ?? 'standard-webhooks',
              secret: webhookSecret === null ? null : requireBox('webhook secret').encrypt(webhookSecret, aad(workspaceId, id, 'webhook')),
            }
          : null,
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      };
      await storage.putDocument(COLLECTION, workspaceId, id, source);
      await changed(workspaceId, id, 'created');
      return toSourceView(source);
    },

    async get(workspaceId, id) {
      const source = await load(workspaceId, id);
      return source ? toSourceView(source) : null;
    },

    async list(workspaceId) {
      const out: SourceView[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.listDocuments<SourceDefinition>(COLLECTION, workspaceId, { limit: 1000, cursor });
        out.push(...page.items.map((i) => toSourceView(i.document)));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out;
    },

    async update(workspaceId, id, patch) {
      const source = await load(workspaceId, id);
      if (!source) throw createError('sources', 'not_found', `source ${id} not found`);
      const connector = connectorFor(source.connector);
      const next: SourceDefinition = { ...source, updatedAt: new Date(clock.now()).toISOString() };
      if (patch.name !== undefined) next.name = patch.name;
      if (patch.config !== undefined) next.config = parseConfig(connector, patch.config);
      if (patch.schedule !== undefined) next.schedule = validateSchedule(patch.schedule);
      if (patch.enabled !== undefined) next.enabled = patch.enabled;
      if (patch.credentials !== undefined) {
        const credentials = parseCredentials(connector, patch.credentials);
        if (patch.check ?? credentials !== null) await check(connector, next.config, credentials);
        next.credentials = credentials === null ? null : requireBox('credentials').encryptJson(credentials, aad(workspaceId, id, 'credentials'));
        next.credentialsVersion = (source.credentialsVersion ?? 1) + 1;
      }
      if (patch.webhook !== undefined) {
        const secret = patch.webhook?.secret;
        next.webhook = patch.webhook
          ? {
              scheme: patch.webhook.scheme ?? source.webhook?.scheme ?? connector.webhook?.signatureScheme ?? 'standard-webhooks',
              secret: secret === undefined ? (source.webhook?.secret ?? null) : secret === null ? null : requireBox('webhook secret').encrypt(secret, aad(workspaceId, id, 'webhook')),
            }
          : null;
      }
      await storage.putDocument(COLLECTION, workspaceId, id, next);
      await changed(workspaceId, id, 'updated');
      return toSourceView(next);
    },

    async delete(workspaceId, id) {
      const deleted = await storage.deleteDocument(COLLECTION, workspaceId, id);
      if (deleted) await changed(workspaceId, id, 'deleted');
      return deleted;
    },

    async updateCredentials(workspaceId, id, next, { expectedVersion }) {
      const lockKey = `source-credentials:${workspaceId}:${id}`;
      const owner = newId('cred', clock.now());
      // A short lease makes read-compare-write atomic across processes sharing the store.
      for (let tries = 0; !(await storage.acquireLock(lockKey, owner, 10_000)); tries++) {
        if (tries >= 50) throw createError('sources', 'conflict', 'credentials are being updated by another process');
        await clock.sleep(20);
      }
      try {
        const source = await load(workspaceId, id);
        if (!source) throw createError('sources', 'not_found', `source ${id} not found`);
        if ((source.credentialsVersion ?? 1) !== expectedVersion) return false;
        const credentials = parseCredentials(connectorFor(source.connector), next);
        const updated: SourceDefinition = {
          ...source,
          credentials: credentials === null ? null : requireBox('credentials').encryptJson(credentials, aad(workspaceId, id, 'credentials')),
          credentialsVersion: expectedVersion + 1,
          updatedAt: new Date(clock.now()).toISOString(),
        };
        await storage.putDocument(COLLECTION, workspaceId, id, updated);
        await changed(workspaceId, id, 'credentials');
        return true;
      } finally {
        await storage.releaseLock(lockKey, owner);
      }
    },

    async resolve(workspaceId, id) {
      const source = await load(workspaceId, id);
      if (!source) throw createError('sources', 'not_found', `source ${id} not found in workspace ${workspaceId}`);
      const connector = connectorFor(source.connector);
      const credentials = source.credentials === null ? null : requireBox('credentials').decryptJson(source.credentials, aad(workspaceId, id, 'credentials'));
      const webhookSecret = source.webhook?.secret ? requireBox('webhook secret').decrypt(source.webhook.secret, aad(workspaceId, id, 'webhook')) : null;
      return { source, connector, config: parseConfig(connector, source.config), credentials, webhookSecret };
    },
  };
  return registry;
}
