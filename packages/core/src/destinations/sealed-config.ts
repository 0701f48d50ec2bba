import type { SecretBox } from '../crypto/index.js';
import { createError } from '../errors/index.js';

/** How a secret field is stored: bound to its workspace, destination and field. */
export const SEALED = '$sealed';
/**
 * How the reference server stored secret fields before destinations moved into core: bound to the
 * field name only. Still read, rewritten as {@link SEALED} on the next write or re-encryption.
 */
export const LEGACY_ENCRYPTED = '$encrypted';

/** Where a destination's config lives: the binding of its secrets. */
export interface DestinationKey {
  workspaceId: string;
  destinationId: string;
}

/**
 * Associated data of a secret field. JSON keeps the parts unambiguous whatever characters the ids
 * hold, so `("a/b", "c")` and `("a", "b/c")` never share a binding.
 */
export const sealedAad = (key: DestinationKey, field: string) => `tributary/destination/v2:${JSON.stringify([key.workspaceId, key.destinationId, field])}`;
const legacyAad = (field: string) => `tributary/destination-config/${field}`;

type Marker = { [SEALED]: string } | { [LEGACY_ENCRYPTED]: string };

/** True when a stored value is an encrypted secret (either format). */
export function isSealedValue(value: unknown): value is Marker {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v[SEALED] === 'string' || typeof v[LEGACY_ENCRYPTED] === 'string';
}

const ciphertextOf = (marker: Marker) => (SEALED in marker ? marker[SEALED] : marker[LEGACY_ENCRYPTED]);

/** Options of {@link openConfig}. */
export interface OpenOptions {
  /** Decrypt the pre-binding format. @default true */
  acceptLegacy?: boolean;
}

/**
 * The config as the target needs it: the declared secret fields decrypted. Only declared fields are
 * opened, so an encrypted-looking value smuggled into another field is handed over as it is.
 * @throws TributaryError `crypto` when a secret does not decrypt under this destination's binding
 *   (copied from another destination, tampered, or its key is gone); `config` when secrets are
 *   stored but no box is configured, or a legacy value is refused
 */
export function openConfig(config: unknown, fields: readonly string[], key: DestinationKey, box: SecretBox | undefined, options: OpenOptions = {}): unknown {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return config;
  const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of fields) {
    const value = out[field];
    if (!isSealedValue(value)) continue;
    if (!box) throw createError('destinations', 'config', `destination ${key.destinationId} has encrypted secrets but no encryption key is configured`);
    if (SEALED in value) {
      out[field] = box.decryptJson(value[SEALED], sealedAad(key, field));
    } else {
      if (options.acceptLegacy === false) throw createError('destinations', 'config', `destination ${key.destinationId}: ${field} is in the unbound legacy format; run the re-encryption job`);
      out[field] = box.decryptJson(value[LEGACY_ENCRYPTED], legacyAad(field));
    }
  }
  return out;
}

/**
 * The config as stored: the declared secret fields encrypted under this destination's binding.
 * Values already sealed (kept from the stored config on an update) are rewritten only when they
 * are legacy or under an old key, so a write also upgrades them.
 */
export function sealConfig(config: Record<string, unknown>, fields: readonly string[], key: DestinationKey, box: SecretBox | undefined, options: OpenOptions = {}): Record<string, unknown> {
  const out = { ...config };
  for (const field of fields) {
    const value = out[field];
    if (value === undefined) continue;
    if (isSealedValue(value) && SEALED in value && box && !box.needsReencryption(value[SEALED])) continue;
    if (!box) throw createError('destinations', 'config', `${field} is a secret but no encryption key is configured (secretKey): secrets are never stored in plain text`);
    const plain = isSealedValue(value) ? openConfig({ [field]: value }, [field], key, box, options) : { [field]: value };
    out[field] = { [SEALED]: box.encryptJson((plain as Record<string, unknown>)[field], sealedAad(key, field)) };
  }
  return out;
}

/** True when some declared secret is legacy or under an old key. */
export function needsResealing(config: unknown, fields: readonly string[], box: SecretBox | undefined): boolean {
  if (!box || typeof config !== 'object' || config === null) return false;
  return fields.some((field) => {
    const value = (config as Record<string, unknown>)[field];
    return isSealedValue(value) && (!(SEALED in value) || box.needsReencryption(ciphertextOf(value)));
  });
}

/** The config as shown to clients: secret fields, and anything encrypted, left out. */
export function redactConfig(config: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return {};
  return Object.fromEntries(Object.entries(config).filter(([field, value]) => !fields.includes(field) && !isSealedValue(value)));
}
