import { z } from 'zod';
import type { AnyTarget } from '../target/index.js';

type JsonSchema = { writeOnly?: boolean; secret?: boolean; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[]; items?: JsonSchema; properties?: Record<string, JsonSchema> };

function marksSecret(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  if (schema.writeOnly === true || schema.secret === true) return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? []), ...(schema.items ? [schema.items] : [])].some(marksSecret);
}

// Keyed by the schema object: describing a schema is slow and targets are registered once.
const fieldsCache = new WeakMap<object, readonly string[]>();

/**
 * The top-level fields of a target's config that hold secrets: those its schema marks `secret` or
 * `writeOnly` in the zod metadata (`z.string().meta({ secret: true, writeOnly: true })`), also
 * inside unions and arrays. A schema that cannot be described declares none.
 */
export function secretFieldsOf(target: Pick<AnyTarget, 'configSchema'>): readonly string[] {
  const cached = fieldsCache.get(target.configSchema);
  if (cached) return cached;
  let fields: string[] = [];
  try {
    const schema = z.toJSONSchema(target.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    fields = Object.entries(schema.properties ?? {})
      .filter(([, s]) => marksSecret(s))
      .map(([name]) => name);
  } catch {
    // Not describable (a transform-only schema, say): nothing is known to be secret.
  }
  fieldsCache.set(target.configSchema, fields);
  return fields;
}
