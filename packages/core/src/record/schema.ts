import { z } from 'zod';
import { Decimal } from '../decimal/index.js';

/** Current version of the record layout. Readers accept this version; migrations bump it. */
export const RECORD_SCHEMA_VERSION = 1 as const;

const isoDateTime = z.iso.datetime({ offset: true });

/** A decimal as a string (or number, normalized to a string), validated exactly. */
export const DecimalStringSchema = z
  .union([z.string(), z.number()])
  .refine((v) => Decimal.isValid(v), { message: 'must be a decimal number, e.g. "12.50"' })
  .transform((v) => Decimal.parse(v).toString());

/** Who wrote a feedback item. */
export const AuthorSchema = z
  .object({
    /** The author's id on the source platform (seed 001's `feedback_platform_user_id`). Kept as given. */
    platformUserId: z.union([z.string(), z.number()]).nullable(),
    username: z.string().nullable(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    profileUrl: z.string().nullable(),
  })
  .partial();
export type Author = z.infer<typeof AuthorSchema>;

/** The content of a feedback item. `text` is what analyzers read; `html` keeps the original markup. */
export const ContentSchema = z
  .object({
    title: z.string().nullable(),
    text: z.string(),
    html: z.string().nullable(),
    url: z.string().nullable(),
  })
  .partial();
export type Content = z.infer<typeof ContentSchema>;

/**
 * Free-form attribute groups, as seed 001 lays them out. `review` holds ratings and review fields,
 * `conversation` thread and reply fields, `metadata` descriptive (and possibly volatile) facts.
 */
export const AttributesSchema = z.object({
  review: z.record(z.string(), z.unknown()).default({}),
  conversation: z.record(z.string(), z.unknown()).default({}),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type Attributes = z.infer<typeof AttributesSchema>;

/** The type of a seed 003 value record. */
export const MeasurementTypeSchema = z.enum(['positive', 'negative']);
export type MeasurementType = z.infer<typeof MeasurementTypeSchema>;

/** Seed 003's record: a decimal value moving from a source to a destination. */
export const MeasurementSchema = z.object({
  recordId: z.string().min(1),
  time: isoDateTime,
  sourceId: z.string().min(1),
  destinationId: z.string().min(1),
  type: MeasurementTypeSchema,
  /** Exact decimal as a canonical string. */
  value: DecimalStringSchema,
  unit: z.string().min(1),
  reference: z.string(),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

export const SentimentLabelSchema = z.enum(['positive', 'negative', 'neutral']);
export type SentimentLabel = z.infer<typeof SentimentLabelSchema>;

export const CategoryLabelSchema = z.enum(['complaint', 'question', 'feature_request', 'bug_report', 'praise', 'other']);
export type CategoryLabel = z.infer<typeof CategoryLabelSchema>;

/** Results of analysis. Built-in keys are typed; custom analyzers may add their own keys. */
export const AnalysisSchema = z
  .object({
    sentiment: z
      .object({
        label: SentimentLabelSchema,
        /** -1 (most negative) to 1 (most positive). */
        score: z.number().min(-1).max(1),
        confidence: z.number().min(0).max(1).optional(),
      })
      .optional(),
    language: z
      .object({
        /** ISO 639-1 code, or `und` when undetermined. */
        code: z.string().min(2).max(3),
        confidence: z.number().min(0).max(1),
      })
      .optional(),
    keyphrases: z.array(z.object({ phrase: z.string(), score: z.number() })).optional(),
    topics: z.array(z.string()).optional(),
    category: z.object({ label: CategoryLabelSchema, confidence: z.number().min(0).max(1) }).optional(),
    moderation: z
      .object({
        flagged: z.boolean(),
        toxicity: z.number().min(0).max(1),
        profanity: z.boolean(),
        personalData: z.array(z.object({ kind: z.string(), count: z.number().int() })),
        redacted: z.boolean().optional(),
      })
      .optional(),
    /** Set when the value of a measurement exceeds its alert threshold. */
    alert: z.object({ threshold: z.string(), exceededBy: z.string() }).optional(),
  })
  .catchall(z.unknown());
export type Analysis = z.infer<typeof AnalysisSchema>;

/** A named, versioned component (connector or analyzer). */
export const ComponentVersionSchema = z.object({ name: z.string().min(1), version: z.string().min(1) });
export type ComponentVersion = z.infer<typeof ComponentVersionSchema>;

/** What produced a record: needed to re-parse or re-analyze when a version changes. */
export const ProvenanceSchema = z.object({
  connector: ComponentVersionSchema,
  analyzers: z.array(ComponentVersionSchema).default([]),
  parsedAt: isoDateTime,
  analyzedAt: isoDateTime.optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

export const RecordKindSchema = z.enum(['feedback', 'measurement']);
export type RecordKind = z.infer<typeof RecordKindSchema>;

/**
 * The uniform record: every item from every source, pulled or pushed, becomes one of these.
 * A feedback item (seed 001) uses `author`, `content` and `attributes`; a value record (seed 003)
 * uses `measurement`. Both carry identity, timing, provenance and analysis.
 */
export const TributaryRecordSchema = z.object({
  schemaVersion: z.literal(RECORD_SCHEMA_VERSION),
  /** Deterministic id: see {@link recordId}. */
  id: z.string().min(1),
  workspaceId: z.string().min(1),
  /** The source (a configured connection) that produced the item. */
  sourceId: z.string().min(1),
  /** The item's own id at the source. */
  externalId: z.string().min(1),
  kind: RecordKindSchema,
  /** What the item is at its source, e.g. `discourse.post`, `github.issue_comment`. */
  itemType: z.string().min(1),
  /** When the item happened at the source (post created, value recorded). */
  occurredAt: isoDateTime,
  /** When the source last changed the item, if it says. */
  sourceUpdatedAt: isoDateTime.optional(),
  /** When Tributary received it. */
  receivedAt: isoDateTime,
  /** Hash of the item's content; a change means the item was edited. */
  contentHash: z.string().min(1),
  /** 1 for the first version, incremented each time the content changes. */
  revision: z.number().int().min(1),
  /** Id of the raw payload the record was parsed from. */
  rawId: z.string().optional(),
  /** Language declared by the source (ISO 639-1), if any; detection goes in `analysis.language`. */
  language: z.string().optional(),
  author: AuthorSchema.optional(),
  content: ContentSchema.optional(),
  attributes: AttributesSchema.default({ review: {}, conversation: {}, metadata: {} }),
  measurement: MeasurementSchema.optional(),
  tags: z.array(z.string()).default([]),
  analysis: AnalysisSchema.default({}),
  provenance: ProvenanceSchema,
});
export type TributaryRecord = z.infer<typeof TributaryRecordSchema>;
/** The input form of a record (defaults not yet applied). */
export type TributaryRecordInput = z.input<typeof TributaryRecordSchema>;

/**
 * What a connector's `parse` returns for one item: the source's facts, before Tributary adds
 * identity, hashing, provenance and analysis.
 */
export const RecordDraftSchema = z.object({
  externalId: z.string().min(1),
  kind: RecordKindSchema.default('feedback'),
  itemType: z.string().min(1),
  occurredAt: isoDateTime,
  sourceUpdatedAt: isoDateTime.optional(),
  language: z.string().optional(),
  author: AuthorSchema.optional(),
  content: ContentSchema.optional(),
  attributes: AttributesSchema.partial().optional(),
  measurement: MeasurementSchema.optional(),
  tags: z.array(z.string()).optional(),
});
export type RecordDraft = z.input<typeof RecordDraftSchema>;

/** Seed 003's wire format, as received from a queue or the HTTP API. */
export const ValueRecordInputSchema = MeasurementSchema;
export type ValueRecordInput = z.input<typeof ValueRecordInputSchema>;
