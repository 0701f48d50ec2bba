import { z } from 'zod';
import { DotPathSchema } from './path.js';

/**
 * Where a field comes from: a dot path, a list of paths (the first one holding a value wins), or a
 * constant (`{ const: 'en' }`) for values the source does not carry.
 */
export const FieldSourceSchema = z.union([
  DotPathSchema,
  z.array(DotPathSchema).min(1),
  z.strictObject({ const: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]) }),
]);
/** See {@link FieldSourceSchema}. */
export type FieldSource = z.output<typeof FieldSourceSchema>;

const group = z.record(z.string().min(1), FieldSourceSchema);

/**
 * How an item's fields become a record draft. Every entry is a {@link FieldSource}. Unknown keys are
 * refused (a typo such as `mapping.txt` must not silently map nothing).
 * @example
 * ```ts
 * {
 *   text: 'body', title: 'subject', url: 'links.html', occurredAt: 'created_at', updatedAt: 'updated_at',
 *   author: { username: 'user.login', platformUserId: 'user.id' },
 *   attributes: { review: { rating: 'stars' }, metadata: { votes: 'vote_count' } },
 *   tags: 'labels', language: { const: 'en' },
 * }
 * ```
 */
export const FieldMappingSchema = z.strictObject({
  /** The text analyzers read. Without it, the text is taken from `html` (tags stripped) when mapped. */
  text: FieldSourceSchema.optional(),
  title: FieldSourceSchema.optional(),
  /** Original markup, kept as is. */
  html: FieldSourceSchema.optional(),
  /** Link to the item at the source. */
  url: FieldSourceSchema.optional(),
  /** When the item happened: ISO 8601, a date, epoch seconds or milliseconds (number or digits). */
  occurredAt: FieldSourceSchema.optional(),
  /** When the source last changed the item (same formats as `occurredAt`). */
  updatedAt: FieldSourceSchema.optional(),
  /** Language the source declares (ISO 639-1). */
  language: FieldSourceSchema.optional(),
  /** An array of strings, or one comma-separated string. */
  tags: FieldSourceSchema.optional(),
  author: z
    .strictObject({
      platformUserId: FieldSourceSchema,
      username: FieldSourceSchema,
      name: FieldSourceSchema,
      email: FieldSourceSchema,
      avatarUrl: FieldSourceSchema,
      profileUrl: FieldSourceSchema,
    })
    .partial()
    .optional(),
  /** Attribute groups, each `{ name: source }`: `review` (ratings…), `conversation` (threads…), `metadata` (counters…). */
  attributes: z.strictObject({ review: group, conversation: group, metadata: group }).partial().optional(),
});
/** See {@link FieldMappingSchema}. */
export type FieldMapping = z.output<typeof FieldMappingSchema>;
/** A field mapping as written in a config. */
export type FieldMappingInput = z.input<typeof FieldMappingSchema>;
