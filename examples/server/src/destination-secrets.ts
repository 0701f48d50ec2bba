/**
 * @module destination-secrets
 * Secrets in destination configs (API keys, signing secrets, Slack webhook URLs) are stored
 * encrypted, like source credentials. A target's config schema marks them (`writeOnly` / `secret` in
 * the zod metadata); those top-level fields are stored as `{ $encrypted: "<ciphertext>" }` and only
 * decrypted inside the target's own schema, right before a send. Responses leave them out.
 */
import { z } from 'zod';
import type { SecretBox } from '@tributary/core/crypto';
import type { AnyTarget } from '@tributary/core/target';

const ENCRYPTED = '$encrypted';
const aad = (field: string) => `tributary/destination-config/${field}`;

type JsonSchema = { writeOnly?: boolean; secret?: boolean; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[]; items?: JsonSchema; properties?: Record<string, JsonSchema> };

function marksSecret(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  if (schema.writeOnly === true || schema.secret === true) return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? []), ...(schema.items ? [schema.items] : [])].some(marksSecret);
}

const fieldsCache = new WeakMap<object, string[]>();

/** Top-level fields of a target's config that hold secrets. */
export function secretFieldsOf(target: Pick<AnyTarget, 'configSchema'>): string[] {
  const cached = fieldsCache.get(target.configSchema);
  if (cached) return cached;
  let fields: string[] = [];
  try {
    const schema = z.toJSONSchema(target.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    fields = Object.entries(schema.properties ?? {})
      .filter(([, s]) => marksSecret(s))
      .map(([name]) => name);
  } catch {
    // A schema that cannot be described has no declared secrets.
  }
  fieldsCache.set(target.configSchema, fields);
  return fields;
}

const isEncrypted = (v: unknown): v is { [ENCRYPTED]: string } => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[ENCRYPTED] === 'string';

/** The config as stored: secret fields encrypted. */
export function encryptSecrets(config: Record<string, unknown>, fields: readonly string[], box: SecretBox): Record<string, unknown> {
  const out = { ...config };
  for (const field of fields) {
    if (out[field] === undefined || isEncrypted(out[field])) continue;
    out[field] = { [ENCRYPTED]: box.encryptJson(out[field], aad(field)) };
  }
  return out;
}

/** The config as the target needs it: secret fields decrypted. */
export function decryptSecrets(config: unknown, box: SecretBox): unknown {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return config;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(config)) out[field] = isEncrypted(value) ? box.decryptJson(value[ENCRYPTED], aad(field)) : value;
  return out;
}

/** The config as shown to clients: secret fields left out. */
export function withoutSecrets(config: unknown, fields: readonly string[]): Record<string, unknown> {
  if (typeof config !== 'object' || config === null) return {};
  return Object.fromEntries(Object.entries(config).filter(([field, value]) => !fields.includes(field) && !isEncrypted(value)));
}

/** The target with a config schema that decrypts stored secrets first. */
export function withEncryptedSecrets(target: AnyTarget, box: SecretBox): AnyTarget {
  const configSchema = z.preprocess((config) => decryptSecrets(config, box), target.configSchema);
  // The wrapper's input is anything; the secrets are those the target's own schema declares.
  fieldsCache.set(configSchema, secretFieldsOf(target));
  return { ...target, configSchema };
}
