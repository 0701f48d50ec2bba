import { z } from 'zod';
import { DotPathSchema, FieldMappingSchema, FieldSourceSchema, toIsoTime } from '../_mapping/index.js';
import { placeholders, renderUrl, TEMPLATE_NAMES, type TemplateName } from './template.js';

/** How requests authenticate. The secrets themselves live in the credentials. */
export const HttpAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  /** `Authorization: Bearer <credentials.token>`. */
  z.strictObject({ type: z.literal('bearer') }),
  /** `Authorization: Basic …` from `credentials.username` and `credentials.password`. */
  z.strictObject({ type: z.literal('basic') }),
  /** `credentials.apiKey` in a header (default `X-Api-Key`) or a query parameter. */
  z.strictObject({
    type: z.literal('api-key'),
    /** @default 'header' */
    in: z.enum(['header', 'query']).default('header'),
    /** Header or query parameter name. @default 'X-Api-Key' */
    name: z.string().trim().min(1).default('X-Api-Key'),
    /** Put before the key, e.g. `Token ` for `Authorization: Token <key>`. */
    prefix: z.string().optional(),
  }),
]);
export type HttpAuth = z.output<typeof HttpAuthSchema>;

const queryParam = z.string().trim().min(1);

/** How the API pages its results. Each style's parameters are query parameters unless the URL template places them itself. */
export const HttpPaginationSchema = z.discriminatedUnion('style', [
  /** One request per run. */
  z.strictObject({ style: z.literal('none') }),
  /** `?page=1, 2, 3…` until an empty (or short, with `pageSize`) page. */
  z.strictObject({
    style: z.literal('page'),
    /** @default 'page' */
    param: queryParam.default('page'),
    /** @default 1 */
    startPage: z.number().int().min(0).default(1),
    /** Items per page; a shorter page ends the walk. Sent as `pageSizeParam` when that is set. */
    pageSize: z.number().int().positive().optional(),
    /** e.g. `per_page`. */
    pageSizeParam: queryParam.optional(),
  }),
  /**
   * A cursor from each response: either a token at `cursorPath` sent back as `param`, or the next
   * page's whole URL at `nextUrlPath` (JSON:API `links.next`, JSON Feed `next_url`).
   */
  z
    .strictObject({
      style: z.literal('cursor'),
      /** @default 'cursor' */
      param: queryParam.default('cursor'),
      cursorPath: DotPathSchema.optional(),
      nextUrlPath: DotPathSchema.optional(),
    })
    .refine((p) => (p.cursorPath === undefined) !== (p.nextUrlPath === undefined), {
      message: 'set exactly one of cursorPath (a token sent back as `param`) or nextUrlPath (the next page URL)',
      path: ['cursorPath'],
    }),
  /** RFC 8288 `Link: <…>; rel="next"` headers (GitHub, GitLab…). */
  z.strictObject({ style: z.literal('link'), /** @default 'next' */ rel: z.string().trim().min(1).default('next') }),
  /** `?offset=0&limit=100, 100, 200…` until a short page or `total`. */
  z.strictObject({
    style: z.literal('offset'),
    /** @default 'offset' */
    offsetParam: queryParam.default('offset'),
    /** @default 'limit' */
    limitParam: queryParam.default('limit'),
    /** @default 100 */
    limit: z.number().int().positive().default(100),
    /** Where the response says how many items there are in all. */
    totalPath: DotPathSchema.optional(),
  }),
]);
export type HttpPagination = z.output<typeof HttpPaginationSchema>;

/** The placeholders each pagination style fills. */
const STYLE_VARIABLES: Record<HttpPagination['style'], TemplateName[]> = {
  none: [],
  page: ['page', 'pageSize'],
  cursor: ['cursor'],
  link: [],
  offset: ['offset', 'limit'],
};

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Configuration of a declarative HTTP source: everything needed to pull a JSON API without code.
 * @example
 * ```ts
 * {
 *   url: 'https://api.example.com/v2/reviews?updated_since={{since}}',
 *   auth: { type: 'bearer' },
 *   pagination: { style: 'cursor', cursorPath: 'meta.next_cursor', param: 'cursor' },
 *   itemsPath: 'data',
 *   idPath: 'id',
 *   checkpointPath: 'updated_at',
 *   mapping: { text: 'body', title: 'title', occurredAt: 'created_at', author: { username: 'author.handle' }, attributes: { review: { rating: 'stars' } } },
 * }
 * ```
 */
export const HttpConfigSchema = z
  .strictObject({
    /**
     * The request URL. Placeholders: `{{checkpoint}}` (the last checkpoint value as the API gave it,
     * else `since`), `{{since}}` (the checkpoint as a time, minus `lookbackSeconds`, in `sinceFormat`,
     * else `since`), and the pagination style's variables (`{{page}}`, `{{pageSize}}`, `{{cursor}}`,
     * `{{offset}}`, `{{limit}}`). A query parameter whose placeholders are all empty is left out.
     */
    url: z.string().trim().min(1),
    /** @default 'GET' */
    method: z.enum(['GET', 'POST']).default('GET'),
    /** Extra request headers (not secrets: those go in the credentials). */
    headers: z.record(z.string(), z.string()).default({}),
    /** JSON body of a POST; its strings may use the same placeholders as the URL. */
    body: z.json().optional(),
    /** @default { type: 'none' } */
    auth: HttpAuthSchema.default({ type: 'none' }),
    /** @default { style: 'none' } */
    pagination: HttpPaginationSchema.default({ style: 'none' }),
    /** Dot path of the items array in a response; empty for a response that is the array. @default '' */
    itemsPath: DotPathSchema.default(''),
    /** Dot path(s) of each item's id. @default 'id' */
    idPath: FieldSourceSchema.default('id'),
    /** What the items are, e.g. `acme.review`. @default 'http.item' */
    itemType: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower case letters, digits, dots, dashes or underscores, e.g. "acme.review"')
      .default('http.item'),
    /** How items become records. Fields left out are looked up under their usual names (`text`, `body`, `created_at`…). */
    mapping: FieldMappingSchema.default({}),
    /**
     * Dot path of the field that orders items for incremental runs (e.g. `updated_at`, or an
     * increasing id). The checkpoint keeps its largest value once a walk completes.
     */
    checkpointPath: DotPathSchema.optional(),
    /** Start of the first run (backfill), fills `{{since}}` and `{{checkpoint}}` until a checkpoint exists. */
    since: z
      .string()
      .trim()
      .refine((v) => toIsoTime(v) !== undefined, 'must be a time: ISO 8601, a date or epoch seconds')
      .optional(),
    /** How `{{since}}` is written. @default 'iso' */
    sinceFormat: z.enum(['iso', 'date', 'unix', 'unix-ms']).default('iso'),
    /** Overlap of incremental runs: `{{since}}` goes back this far, for APIs whose clocks or indexes lag. @default 0 */
    lookbackSeconds: z.number().int().min(0).default(0),
    /** Most pages one run requests; a longer walk resumes on the next run. @default 100 */
    maxPages: z.number().int().positive().default(100),
    /** The API's request budget. @default 60 requests per 60 seconds, one at a time */
    rateLimit: z
      .strictObject({ requests: z.number().int().positive(), perSeconds: z.number().positive(), concurrency: z.number().int().positive().default(1) })
      .default({ requests: 60, perSeconds: 60, concurrency: 1 }),
  })
  .superRefine((config, ctx) => {
    const allowed = new Set<string>(['checkpoint', 'since', ...STYLE_VARIABLES[config.pagination.style]]);
    const check = (text: string, path: (string | number)[]) => {
      for (const name of placeholders(text)) {
        if (allowed.has(name)) continue;
        const known = (TEMPLATE_NAMES as readonly string[]).includes(name);
        ctx.addIssue({
          code: 'custom',
          path,
          message: known
            ? `{{${name}}} does not apply to pagination style "${config.pagination.style}"`
            : `unknown placeholder {{${name}}}; use ${[...allowed].map((n) => `{{${n}}}`).join(', ')}`,
        });
      }
    };
    check(config.url, ['url']);
    walkStrings(config.body, (text, path) => check(text, ['body', ...path]));
    let parsed: URL | undefined;
    try {
      parsed = new URL(renderUrl(config.url, { checkpoint: '0', since: '0', page: 1, pageSize: 1, cursor: 'c', offset: 0, limit: 1 }));
    } catch {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an absolute http(s) URL' });
    }
    if (parsed && parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ctx.addIssue({ code: 'custom', path: ['url'], message: 'must use http or https' });
    if (parsed && (parsed.username || parsed.password)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must not hold a user or password: use auth and the credentials, which are encrypted' });
    for (const name of Object.keys(config.headers)) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: ['headers', name], message: `${JSON.stringify(name)} is not a valid header name` });
    }
    if (config.body !== undefined && config.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['body'], message: 'only applies to method "POST"' });
    if (config.pagination.style === 'page' && config.pagination.pageSizeParam && config.pagination.pageSize === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pagination', 'pageSize'], message: 'required when pageSizeParam is set' });
    }
  });
/** Configuration of an HTTP source, defaults applied. */
export type HttpConfig = z.output<typeof HttpConfigSchema>;
/** Configuration of an HTTP source as written by a user. */
export type HttpConfigInput = z.input<typeof HttpConfigSchema>;

/**
 * Secrets of an HTTP source: a bearer `token`, an `apiKey`, or a `username` and `password`; which
 * one is needed follows `config.auth`.
 */
export const HttpCredentialsSchema = z
  .union([
    z.strictObject({ token: z.string().min(1) }),
    z.strictObject({ apiKey: z.string().min(1) }),
    z.strictObject({ username: z.string().min(1), password: z.string() }),
  ])
  .optional();
export type HttpCredentials = z.output<typeof HttpCredentialsSchema>;

const watermark = z.union([z.string(), z.number()]);

/** Sync position of an HTTP source. */
export const HttpCheckpointSchema = z.strictObject({
  /** The largest `checkpointPath` value of every completed walk; null before one completes (or without `checkpointPath`). */
  watermark: watermark.nullable(),
  /** A walk that stopped part-way (maxPages or a failed run); the next run resumes it. */
  pending: z
    .strictObject({
      /** What fetches the next page: a page number, offset, cursor or URL. */
      next: z.union([z.string(), z.number()]),
      /** Largest `checkpointPath` value this walk has seen so far. */
      walkWatermark: watermark.nullable(),
      /** `{{checkpoint}}` and `{{since}}` as this walk started with them, so its later pages line up. */
      values: z.strictObject({ checkpoint: z.string(), since: z.string() }),
    })
    .optional(),
});
export type HttpCheckpoint = z.output<typeof HttpCheckpointSchema>;

function walkStrings(value: unknown, visit: (text: string, path: (string | number)[]) => void, path: (string | number)[] = []): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, visit, [...path, i]));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkStrings(v, visit, [...path, k]);
}
