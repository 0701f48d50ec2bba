/**
 * @module schemas
 * The zod schemas of the HTTP API shared by several routes: identifiers, times, lists in query
 * strings, errors, and the shapes of workspaces, sources, runs and destinations.
 */
import { z } from 'zod';
import { parseCron } from '@tributary/core/scheduler';

/** The longest path identifier {@link IdSchema} takes. */
export const ID_MAX_LENGTH = 200;

/** A path identifier: workspace, source, destination, run, dead letter. */
export const IdSchema = z
  .string()
  .min(1)
  .max(ID_MAX_LENGTH)
  .regex(/^[A-Za-z0-9_.~:@-]+$/, 'must be an identifier (letters, digits, _ . ~ : @ -)');

export const WorkspaceParams = z.object({ ws: IdSchema.describe('Workspace id') });
export const WorkspaceItemParams = z.object({ ws: IdSchema.describe('Workspace id'), id: IdSchema.describe('Item id') });

/** The body of every error answer. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. validation, not_found, rate_limited'),
      message: z.string(),
      issues: z.array(z.object({ path: z.string().describe('Dotted path of the field, e.g. records.3.value'), message: z.string() })).optional(),
    }),
  })
  .meta({ title: 'Error' });

/** An ISO 8601 date-time (with offset) or date, normalized to an ISO date-time in UTC. */
export const TimeSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'expected an ISO 8601 date or date-time, e.g. 2026-01-31T00:00:00Z' })
  .transform((v) => new Date(v).toISOString());

/** A list in a query string: repeated (`?a=x&a=y`) or comma-separated (`?a=x,y`). */
export const listOf = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1));

/** Cursor pagination of lists. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Page size, 1 to 1000'),
  cursor: z.string().min(1).max(2000).optional().describe('The nextCursor of the previous page'),
});

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `"5m"`, `"30s"`, `"2h"`, `"1d"`, `"500ms"` or milliseconds → milliseconds. */
export const DurationSchema = z
  .union([z.number().int().positive(), z.string().regex(DURATION, 'expected a duration such as "30s", "5m", "2h", "1d", or milliseconds')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const [, amount, unit] = DURATION.exec(v)!;
    return Math.round(Number(amount) * UNIT_MS[unit!]!);
  })
  .pipe(z.number().min(1000, 'must be at least 1 second'));

/** A pull schedule: an interval or a five-field cron expression (UTC). */
export const ScheduleInputSchema = z
  .object({
    every: DurationSchema.optional().describe('Interval, e.g. "5m", or milliseconds'),
    cron: z.string().min(1).optional().describe('Five-field cron expression in UTC, e.g. "*/15 * * * *"'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.every === undefined) === (s.cron === undefined)) ctx.addIssue({ code: 'custom', path: ['every'], message: 'give exactly one of every or cron' });
    if (s.cron !== undefined) {
      try {
        parseCron(s.cron);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['cron'], message: (error as Error).message.replace(/^\[tributary\] \[[^\]]+\] /, '') });
      }
    }
  })
  .transform((s) => (s.every !== undefined ? { everyMs: s.every } : { cron: s.cron! }));

export const SignatureSchemeSchema = z.enum(['standard-webhooks', 'github', 'stripe', 'shopify', 'slack', 'discourse', 'none']);

/** How a source receives webhooks. */
export const WebhookInputSchema = z
  .object({
    scheme: SignatureSchemeSchema.optional().describe("Signature scheme; default: the connector's"),
    secret: z.string().min(1).max(1000).nullable().optional().describe('Signing secret; stored encrypted and never returned'),
  })
  .strict();

const JsonObject = z.record(z.string(), z.unknown());

export const SourceCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    connector: z.string().min(1).max(100).describe('Connector name, e.g. discourse'),
    config: JsonObject.default({}).describe("The connector's configuration"),
    credentials: z.unknown().optional().describe('Secrets for the provider; stored encrypted and never returned'),
    schedule: ScheduleInputSchema.nullable().optional(),
    webhook: WebhookInputSchema.nullable().optional(),
    enabled: z.boolean().optional(),
    check: z.boolean().optional().describe('Verify the credentials with one call before saving; default: when credentials are given'),
  })
  .strict();

export const SourcePatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    config: JsonObject.optional(),
    credentials: z.unknown().optional(),
    schedule: ScheduleInputSchema.nullable().optional(),
    webhook: WebhookInputSchema.nullable().optional(),
    enabled: z.boolean().optional(),
    check: z.boolean().optional(),
  })
  .strict();

export const SourceViewSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    connector: z.string(),
    config: z.unknown(),
    hasCredentials: z.boolean(),
    schedule: z.object({ everyMs: z.number().optional(), cron: z.string().optional() }).nullable(),
    webhook: z.object({ scheme: SignatureSchemeSchema, hasSecret: z.boolean() }).nullable(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    webhookUrl: z.string().optional().describe('Where the provider should POST, when the source takes webhooks'),
  })
  .meta({ title: 'Source' });

export const RunSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    sourceId: z.string(),
    trigger: z.enum(['manual', 'schedule', 'webhook', 'backfill']),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'skipped']),
    requestedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    pages: z.number(),
    items: z.number(),
    error: z.string().nullable(),
  })
  .meta({ title: 'Run' });

export const WorkspaceSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).meta({ title: 'Workspace' });

export const DESTINATION_KINDS = ['http', 'webhook', 'slack', 'email'] as const;
export const DestinationKindSchema = z.enum(DESTINATION_KINDS);

const DestinationUrlSchema = z.string().min(1).max(2000).describe('The URL of the receiver (http, webhook), the Slack incoming webhook URL (slack), or the mail API origin (email)');
const DestinationRateLimitSchema = z.object({ perSecond: z.number().positive().max(100_000), burst: z.number().int().min(1).max(100_000) }).strict();
const DestinationFilterSchema = z
  .object({
    types: z.array(z.string().min(1)).max(50).optional().describe('Message types, e.g. record.processed, record.alert; all when absent'),
    sourceIds: z.array(IdSchema).max(1000).optional().describe('Only records of these sources; all when absent'),
  })
  .strict();

export const DestinationCreateSchema = z
  .object({
    kind: DestinationKindSchema,
    name: z.string().trim().min(1).max(200).optional(),
    url: DestinationUrlSchema.optional(),
    config: JsonObject.default({}).describe("Other settings of the target, e.g. secret (webhook), apiKey, from and to (email); secrets are stored encrypted and never returned"),
    rateLimit: DestinationRateLimitSchema,
    filter: DestinationFilterSchema.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

/** A change to a destination: fields left out keep their value; its kind cannot change. */
export const DestinationPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    url: DestinationUrlSchema.optional(),
    config: JsonObject.optional().describe('Merged over the stored settings field by field; a secret left out is kept'),
    rateLimit: DestinationRateLimitSchema.optional(),
    filter: DestinationFilterSchema.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const DestinationViewSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    kind: z.string(),
    name: z.string().nullable(),
    url: z.string().nullable().describe('Null when the URL is itself a secret (Slack)'),
    config: z.record(z.string(), z.unknown()).describe('The settings, secrets left out'),
    secretFields: z.array(z.string()).describe('Settings stored encrypted, never returned'),
    rateLimit: z.object({ perSecond: z.number(), burst: z.number() }).nullable(),
    filter: z.object({ types: z.array(z.string()).optional(), sourceIds: z.array(z.string()).optional() }).nullable(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ title: 'Destination' });

export const listResponse = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
