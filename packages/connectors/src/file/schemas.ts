import { z } from 'zod';
import { FieldMappingSchema, FieldSourceSchema } from '../_mapping/index.js';

/** The item type of lines that could not be read; their parse reports them (`record.rejected`). */
export const FILE_REJECTED_ITEM_TYPE = 'file.rejected';

/** Formats by file extension. */
const EXTENSIONS: Record<string, 'csv' | 'ndjson'> = { csv: 'csv', tsv: 'csv', ndjson: 'ndjson', jsonl: 'ndjson' };

/**
 * Configuration of a file import (a backfill from a CSV or NDJSON export).
 * @example
 * ```ts
 * { path: '/data/reviews-2023.csv', idPath: 'review_id', mapping: { text: 'comment', occurredAt: 'submitted', attributes: { review: { rating: 'stars' } } } }
 * ```
 */
export const FileConfigSchema = z
  .strictObject({
    /** The file, absolute or relative to the working directory (or to the connector's `root`). */
    path: z.string().trim().min(1),
    /** @default from the extension: `.csv`/`.tsv` → csv, `.ndjson`/`.jsonl` → ndjson */
    format: z.enum(['csv', 'ndjson']).optional(),
    /** What the rows are, e.g. `survey.response`. @default 'file.row' */
    itemType: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower case letters, digits, dots, dashes or underscores, e.g. "survey.response"')
      .refine((t) => t !== FILE_REJECTED_ITEM_TYPE, `"${FILE_REJECTED_ITEM_TYPE}" is reserved for unreadable lines`)
      .default('file.row'),
    /** Column or dot path(s) of each row's id. @default 'id' */
    idPath: FieldSourceSchema.default('id'),
    /** How rows become records; columns left out are looked up under their usual names (`text`, `created_at`…). */
    mapping: FieldMappingSchema.default({}),
    csv: z
      .strictObject({
        /** @default ',' (a tab for `.tsv`) */
        delimiter: z.string().length(1).optional(),
        /** Column names, for a file without a header row. */
        columns: z.array(z.string().trim().min(1)).min(1).optional(),
      })
      .default({}),
    /** Rows per page (one checkpoint each). @default 500 */
    pageSize: z.number().int().min(1).max(10_000).default(500),
    /** Longest line (NDJSON) or record (CSV) kept; longer ones are reported and skipped. @default 1048576 */
    maxLineBytes: z.number().int().min(1024).default(1024 * 1024),
  })
  .transform((config, ctx) => {
    const ext = /\.([a-z0-9]+)$/i.exec(config.path)?.[1]?.toLowerCase();
    const format = config.format ?? (ext ? EXTENSIONS[ext] : undefined);
    if (!format) {
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'required: the extension does not say (use "csv" or "ndjson")' });
      return z.NEVER;
    }
    const delimiter = config.csv.delimiter ?? (ext === 'tsv' ? '\t' : ',');
    return { ...config, format, csv: { ...config.csv, delimiter } };
  });
/** Configuration of a file source, defaults applied. */
export type FileConfig = z.output<typeof FileConfigSchema>;
export type FileConfigInput = z.input<typeof FileConfigSchema>;

/** Where an import stands: the byte offset and line number after the last row handed over. */
export const FileCheckpointSchema = z.strictObject({
  /** The file the position belongs to; another path starts over. */
  path: z.string(),
  offset: z.number().int().min(0),
  line: z.number().int().min(0),
  /** The CSV header, needed to read rows after it when resuming mid-file. */
  columns: z.array(z.string()).optional(),
});
export type FileCheckpoint = z.output<typeof FileCheckpointSchema>;

/** The payload of a row item: the row and its line number (for messages). */
export const FileRowPayloadSchema = z.object({ line: z.number().int().min(1), row: z.record(z.string(), z.unknown()) });
/** The payload of a rejected line. */
export const FileRejectedPayloadSchema = z.object({ line: z.number().int().min(1), error: z.string() });
