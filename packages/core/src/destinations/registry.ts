import type { Clock } from '../clock/index.js';
import type { SecretBox } from '../crypto/index.js';
import { createError, fromZodError } from '../errors/index.js';
import { newId } from '../pipeline/ids.js';
import type { DestinationDefinition } from '../pipeline/types.js';
import type { StorageAdapter } from '../storage/index.js';
import type { AnyTarget } from '../target/index.js';
import { isSealedValue, needsResealing, openConfig, redactConfig, sealConfig, type OpenOptions } from './sealed-config.js';
import { secretFieldsOf } from './secret-fields.js';

/** The document collection destinations are stored in (one scope per workspace). */
export const DESTINATIONS = 'destinations';

/** A destination as stored: the pipeline's definition plus a display name and update time. */
export interface StoredDestination extends DestinationDefinition {
  name?: string | null;
  updatedAt?: string;
}

/** Which messages a destination receives; all when null. */
export type DestinationFilter = NonNullable<DestinationDefinition['filter']>;
/** Requests per second and burst the receiver accepts. */
export type DestinationRateLimit = NonNullable<DestinationDefinition['rateLimit']>;

/** Input to create a destination. Secret config fields are given in plain text and stored encrypted. */
export interface CreateDestinationInput {
  /** Name of a registered target, e.g. `webhook`. */
  target: string;
  name?: string | null;
  /** The target's config, validated by its schema; stored as given (defaults apply at send time). */
  config?: Record<string, unknown>;
  filter?: DestinationFilter | null;
  rateLimit?: DestinationRateLimit | null;
  /** @default true */
  enabled?: boolean;
  /** Use this id instead of a generated one. */
  id?: string;
}

/**
 * Fields that can change after creation. `config` is merged over the stored one field by field, so
 * a secret left out keeps its stored value and a secret given is replaced.
 */
export type UpdateDestinationInput = Partial<Omit<CreateDestinationInput, 'target' | 'id'>>;

/** A destination as shown to API clients: secrets left out, and which fields are secret. */
export interface DestinationView extends Omit<StoredDestination, 'config'> {
  name: string | null;
  /** The config without its secrets. */
  config: Record<string, unknown>;
  /** The target's secret fields (stored encrypted, never returned). */
  secretFields: readonly string[];
}

/** A destination ready to send to: its target and its config parsed, secrets decrypted. */
export interface ResolvedDestination {
  destination: StoredDestination;
  target: AnyTarget;
  config: unknown;
}

/** Manages the destinations of workspaces in storage, with their secrets encrypted. */
export interface DestinationRegistry {
  /** @throws `validation` naming the field (`target`, `config.<field>`) */
  create(workspaceId: string, input: CreateDestinationInput): Promise<DestinationView>;
  get(workspaceId: string, id: string): Promise<DestinationView | null>;
  list(workspaceId: string): Promise<DestinationView[]>;
  /** @throws `not_found`, `validation` */
  update(workspaceId: string, id: string, patch: UpdateDestinationInput): Promise<DestinationView>;
  delete(workspaceId: string, id: string): Promise<boolean>;
  /** Loads a destination with its target and decrypted config; null when it does not exist. @throws `not_found` when its target is not registered */
  resolve(workspaceId: string, id: string): Promise<ResolvedDestination | null>;
  /**
   * The stored config of a destination as its target needs it (secrets decrypted), for a caller
   * that already loaded the document by `workspaceId` and `id`: the binding comes from where it
   * was stored, never from the document itself.
   */
  openConfig(workspaceId: string, id: string, target: AnyTarget, config: unknown): unknown;
  /**
   * Re-encrypts a destination's secrets with the current key and the workspace-bound format.
   * True when it rewrote something; false when nothing needed it or it does not exist.
   */
  reencrypt(workspaceId: string, id: string): Promise<boolean>;
}

/** Options of {@link createDestinationRegistry}. */
export interface DestinationRegistryOptions extends OpenOptions {
  storage: StorageAdapter;
  targets: ReadonlyMap<string, AnyTarget>;
  /** Encrypts secret fields; without it, configs with secrets are refused. */
  secretBox?: SecretBox;
  clock: Clock;
  /** How long an update holds the destination's lease. @default 10000 */
  lockTtlMs?: number;
}

/** Hides the secrets of a stored destination. */
export function toDestinationView(destination: StoredDestination, target: AnyTarget | undefined): DestinationView {
  const secretFields = target ? secretFieldsOf(target) : Object.keys((destination.config as Record<string, unknown>) ?? {}).filter((f) => isSealedValue((destination.config as Record<string, unknown>)[f]));
  return { ...destination, name: destination.name ?? null, config: redactConfig(destination.config, secretFields), secretFields };
}

/** Creates the destination registry. */
export function createDestinationRegistry(options: DestinationRegistryOptions): DestinationRegistry {
  const { storage, targets, secretBox, clock } = options;
  const open: OpenOptions = { acceptLegacy: options.acceptLegacy ?? true };
  const iso = () => new Date(clock.now()).toISOString();

  const targetFor = (name: string, path = 'target'): AnyTarget => {
    const target = targets.get(name);
    if (!target) {
      const available = [...targets.keys()].join(', ') || 'none';
      throw createError('destinations', 'validation', `unknown target ${JSON.stringify(name)}; available: ${available}`, { issues: [{ path, message: `unknown target; available: ${available}` }] });
    }
    return target;
  };

  const refuseCiphertext = (target: AnyTarget, config: Record<string, unknown>) => {
    for (const field of secretFieldsOf(target)) {
      // A client never hands in ciphertext: that would be a way to move another destination's secret here.
      if (isSealedValue(config[field])) throw createError('destinations', 'validation', `${field} must be given in plain text`, { issues: [{ path: `config.${field}`, message: 'give the secret itself' }] });
    }
  };

  const validate = (target: AnyTarget, config: Record<string, unknown>) => {
    refuseCiphertext(target, config);
    const parsed = target.configSchema.safeParse(config);
    if (!parsed.success) throw fromZodError(target.name, 'destination config', parsed.error, ['config']);
  };

  const validateLimit = (rateLimit: DestinationRateLimit | null | undefined) => {
    if (!rateLimit) return;
    if (!(rateLimit.perSecond > 0) || !Number.isFinite(rateLimit.perSecond)) throw createError('destinations', 'validation', 'rateLimit.perSecond must be a positive number', { issues: [{ path: 'rateLimit.perSecond', message: 'must be positive' }] });
    if (!Number.isInteger(rateLimit.burst) || rateLimit.burst < 1) throw createError('destinations', 'validation', 'rateLimit.burst must be a positive integer', { issues: [{ path: 'rateLimit.burst', message: 'must be a positive integer' }] });
  };

  const load = (workspaceId: string, id: string) => storage.getDocument<StoredDestination>(DESTINATIONS, workspaceId, id);
  const view = (d: StoredDestination) => toDestinationView(d, targets.get(d.target));

  /** Runs a read-modify-write under the destination's lease, so concurrent writers do not lose each other's change. */
  const locked = async <T>(workspaceId: string, id: string, work: () => Promise<T>): Promise<T> => {
    const key = `destination:${workspaceId}:${id}`;
    const owner = newId('dstlock', clock.now());
    for (let tries = 0; !(await storage.acquireLock(key, owner, options.lockTtlMs ?? 10_000)); tries++) {
      if (tries >= 50) throw createError('destinations', 'conflict', `destination ${id} is being changed by another process`);
      await clock.sleep(20);
    }
    try {
      return await work();
    } finally {
      await storage.releaseLock(key, owner);
    }
  };

  const registry: DestinationRegistry = {
    async create(workspaceId, input) {
      const target = targetFor(input.target);
      const config = { ...(input.config ?? {}) };
      validate(target, config);
      validateLimit(input.rateLimit);
      const id = input.id ?? newId('dst', clock.now());
      const now = iso();
      const destination: StoredDestination = {
        id,
        workspaceId,
        target: target.name,
        name: input.name ?? null,
        config: sealConfig(config, secretFieldsOf(target), { workspaceId, destinationId: id }, secretBox, open),
        filter: input.filter ?? null,
        rateLimit: input.rateLimit ?? null,
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      };
      await storage.putDocument(DESTINATIONS, workspaceId, id, destination);
      return view(destination);
    },

    async get(workspaceId, id) {
      const destination = await load(workspaceId, id);
      return destination ? view(destination) : null;
    },

    async list(workspaceId) {
      const out: DestinationView[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.listDocuments<StoredDestination>(DESTINATIONS, workspaceId, { limit: 1000, cursor });
        out.push(...page.items.map((i) => view(i.document)));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out;
    },

    update(workspaceId, id, patch) {
      return locked(workspaceId, id, async () => {
        const stored = await load(workspaceId, id);
        if (!stored) throw createError('destinations', 'not_found', `destination ${id} not found`);
        const target = targetFor(stored.target);
        const key = { workspaceId, destinationId: id };
        const fields = secretFieldsOf(target);
        const next: StoredDestination = { ...stored, updatedAt: iso() };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.filter !== undefined) next.filter = patch.filter;
        if (patch.rateLimit !== undefined) {
          validateLimit(patch.rateLimit);
          next.rateLimit = patch.rateLimit;
        }
        if (patch.enabled !== undefined) next.enabled = patch.enabled;
        if (patch.config !== undefined) {
          refuseCiphertext(target, patch.config);
          // Validated with the stored secrets in plain text, so a config that needs them passes.
          const merged = { ...(openConfig(stored.config, fields, key, secretBox, open) as Record<string, unknown>), ...patch.config };
          validate(target, merged);
          next.config = sealConfig(merged, fields, key, secretBox, open);
        } else {
          next.config = sealConfig({ ...(stored.config as Record<string, unknown>) }, fields, key, secretBox, open);
        }
        await storage.putDocument(DESTINATIONS, workspaceId, id, next);
        return view(next);
      });
    },

    async delete(workspaceId, id) {
      return storage.deleteDocument(DESTINATIONS, workspaceId, id);
    },

    async resolve(workspaceId, id) {
      const destination = await load(workspaceId, id);
      if (!destination) return null;
      const target = targets.get(destination.target);
      if (!target) throw createError('destinations', 'not_found', `no target named ${destination.target} is registered`);
      const parsed = target.configSchema.safeParse(registry.openConfig(workspaceId, id, target, destination.config));
      if (!parsed.success) throw fromZodError(target.name, 'destination config', parsed.error, ['config']);
      return { destination, target, config: parsed.data };
    },

    openConfig(workspaceId, id, target, config) {
      return openConfig(config, secretFieldsOf(target), { workspaceId, destinationId: id }, secretBox, open);
    },

    reencrypt(workspaceId, id) {
      return locked(workspaceId, id, async () => {
        const stored = await load(workspaceId, id);
        if (!stored) return false;
        const target = targets.get(stored.target);
        // Without its target the secret fields are unknown: every encrypted value is one.
        const fields = target ? secretFieldsOf(target) : Object.keys((stored.config as Record<string, unknown>) ?? {}).filter((f) => isSealedValue((stored.config as Record<string, unknown>)[f]));
        if (!needsResealing(stored.config, fields, secretBox)) return false;
        const config = sealConfig({ ...(stored.config as Record<string, unknown>) }, fields, { workspaceId, destinationId: id }, secretBox, { acceptLegacy: true });
        await storage.putDocument(DESTINATIONS, workspaceId, id, { ...stored, config });
        return true;
      });
    },
  };
  return registry;
}
