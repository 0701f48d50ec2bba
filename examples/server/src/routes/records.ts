/**
 * @module routes/records
 * Records in and out. `POST` takes one record or `{ records: [...] }` (uniform drafts or seed 003's
 * value records) into the internal `api` source of the workspace; each entry is validated on its own,
 * so bad entries are refused with their index and fields while the good ones are accepted. `GET`
 * queries stored records with filters and cursor pagination.
 */
import { z } from 'zod';
import { CategoryLabelSchema, RecordKindSchema, SentimentLabelSchema, TributaryRecordSchema } from '@tributary/core/record';
import { MAX_RECORDS_PER_REQUEST, RecordsBodySchema } from '../api-records.js';
import { createRecordsIngest } from '../ingest/records.js';
import type { RouteDeps } from '../context.js';
import { IdSchema, PageQuery, TimeSchema, WorkspaceParams, listOf, listResponse } from '../schemas.js';

const RecordsAcceptedSchema = z
  .object({
    accepted: z.number().describe('Entries accepted and durably enqueued'),
    ids: z.array(z.string()).describe('Record ids of the accepted entries, in request order'),
    rejected: z
      .array(z.object({ index: z.number().describe('Position of the entry in `records` (0 for a lone record)'), issues: z.array(z.object({ path: z.string(), message: z.string() })) }))
      .optional()
      .describe('Entries refused, with the fields at fault; present when some were'),
  })
  .meta({ title: 'RecordsAccepted' });

const RecordsQuery = PageQuery.extend({
  from: TimeSchema.optional().describe('occurredAt >= from'),
  to: TimeSchema.optional().describe('occurredAt < to'),
  source: listOf(IdSchema).optional().describe('Source ids, comma-separated or repeated'),
  sentiment: listOf(SentimentLabelSchema).optional(),
  language: listOf(z.string().regex(/^[a-z]{2,3}$/, 'must be an ISO 639-1 code such as en')).optional(),
  category: listOf(CategoryLabelSchema).optional(),
  kind: listOf(RecordKindSchema).optional(),
  text: z.string().min(1).max(200).optional().describe('Case-insensitive substring of the title or text'),
  order: z.enum(['asc', 'desc']).default('desc').describe('By occurredAt'),
});

export function recordRoutes(deps: RouteDeps): void {
  const { api, pipeline, metrics } = deps;
  // The same logic the node:http fast path runs (src/ingest/fast-path.ts).
  const ingestRecords = createRecordsIngest({ pipeline, metrics, maxJsonDepth: deps.config.TRIBUTARY_MAX_JSON_DEPTH });

  api.add(
    {
      method: 'post',
      path: '/v1/workspaces/:ws/records',
      operationId: 'ingestRecords',
      summary: 'Send records',
      description: `One record, or \`{ records: [...] }\` with at most ${MAX_RECORDS_PER_REQUEST}. Each is a uniform record draft (with \`externalId\`) or a seed 003 value record (\`recordId\`, \`time\`, \`sourceId\`, \`destinationId\`, \`type\`, \`value\`, \`unit\`, \`reference\`). Invalid entries, and entries nested deeper than the server's limit (\`TRIBUTARY_MAX_JSON_DEPTH\`, 64 levels for the whole body by default), are listed in \`rejected\` with their index and fields; when none is valid the answer is 400.`,
      tag: 'Records',
      access: 'workspace',
      params: WorkspaceParams,
      body: RecordsBodySchema,
      bodyMode: 'json',
      responses: { 202: { description: 'Accepted (some entries may be rejected)', schema: RecordsAcceptedSchema } },
    },
    async (c, { params, body }) => c.json(await ingestRecords(params.ws, body), 202),
  );

  api.add(
    {
      method: 'get',
      path: '/v1/workspaces/:ws/records',
      operationId: 'listRecords',
      summary: 'Query records',
      description: 'Newest first by default; follow nextCursor for the next page.',
      tag: 'Records',
      access: 'workspace',
      params: WorkspaceParams,
      query: RecordsQuery,
      responses: { 200: { description: 'A page of records', schema: listResponse(TributaryRecordSchema) } },
    },
    async (c, { params, query }) => {
      const page = await pipeline.storage.queryRecords({
        workspaceId: params.ws,
        limit: query.limit,
        order: query.order,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(query.source ? { sourceIds: query.source } : {}),
        ...(query.sentiment ? { sentiments: query.sentiment } : {}),
        ...(query.language ? { languages: query.language } : {}),
        ...(query.category ? { categories: query.category } : {}),
        ...(query.kind ? { kinds: query.kind } : {}),
        ...(query.text ? { text: query.text } : {}),
      });
      return c.json(page);
    },
  );
}
