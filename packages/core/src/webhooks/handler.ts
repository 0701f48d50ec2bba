import { isoString } from '../cache/iso-string.js';
import { systemClock, type Clock } from '../clock/index.js';
import type { RawItem, SignatureSchemeName, WebhookParseResult, WebhookRequest, WebhookSpec } from '../connector/index.js';
import { createError, fromZodError, isTributaryError, type TributaryError } from '../errors/index.js';
import { DEFAULT_MAX_JSON_DEPTH, findJsonDepthExcess, jsonDepthMessage } from '../json/index.js';
import { declaredLength, decodeBody, DEFAULT_MAX_BODY_BYTES, payloadTooLarge, readStreamCapped } from './body.js';
import { createStorageDedupStore, deliveryKey, type ClaimOutcome, type DedupStorage, type DedupStore, type DeliveryRecord } from './dedup.js';
import { PlainHeaders } from './plain-headers.js';
import { errorReply, jsonReply, toResponse, type WebhookReply } from './responses.js';
import { DEFAULT_TOLERANCE_MS, type SignatureVerification } from './scheme.js';
import { getSignatureScheme, signatureSchemes } from './schemes.js';
import { createResolvedSourceCache } from './source-cache.js';

/** Which source a webhook is for, usually taken from the route (`/webhooks/:workspaceId/:sourceId`). */
export interface WebhookParams {
  workspaceId: string;
  sourceId: string;
}

/** What the handler needs of a resolved source (a pipeline's `ResolvedSource` fits). */
export interface WebhookSource {
  source: { enabled: boolean; webhook: { scheme: SignatureSchemeName; secret: string | null } | null };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  connector: { name: string; readonly webhook?: WebhookSpec<any> | undefined };
  config: unknown;
  /** The decrypted secret, or null for an unsigned source. */
  webhookSecret: string | null;
}

/**
 * The part of a pipeline the handler uses; a `Pipeline` from `@tributary/core/pipeline` fits as is.
 * Hosts may pass their own (e.g. to ingest through another process).
 */
export interface WebhookPipeline {
  sources: {
    /** @throws TributaryError `not_found` when the workspace has no such source */
    resolve(workspaceId: string, sourceId: string): Promise<WebhookSource>;
    /**
     * Tells the listener of sources changed through this pipeline, so the handler's cache drops
     * them at once (a pipeline's `sources.onChange`). Without it, changes are seen within
     * {@link WebhookHandlerOptions.sourceCacheMs}.
     */
    onChange?(listener: (workspaceId: string, sourceId: string) => void): () => void;
  };
  /** Resolves once the items are durably enqueued; rejects when they are not. */
  ingest(workspaceId: string, sourceId: string, items: readonly RawItem[], options?: { receivedAt?: Date; traceparent?: string }): Promise<{ accepted: number; ids: string[] }>;
  /** Queues a pull of the source (thin webhooks). */
  trigger(workspaceId: string, sourceId: string, options?: { trigger?: 'webhook' }): Promise<{ runId: string }>;
  /** Used for the default dedup store when present. */
  readonly storage?: DedupStorage;
}

/** Where a server-side failure happened, for {@link WebhookHandlerOptions.onError}. */
export type WebhookFailureStage = 'resolve' | 'verify' | 'dedup' | 'parse' | 'ingest' | 'trigger' | 'remember' | 'internal';

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  pipeline: WebhookPipeline;
  /**
   * Remembers delivery ids so a redelivery is acknowledged without being enqueued twice. `false`
   * turns dedup off (records stay idempotent by id anyway).
   * @default a store on `pipeline.storage` (collection `webhook-deliveries`); none when it has no storage
   */
  dedup?: DedupStore | false;
  /** How long an accepted delivery id is remembered. @default 259200000 (3 days, the longest common retry schedule) */
  dedupRetentionMs?: number;
  /** How long a delivery in progress blocks a concurrent copy of itself. @default 60000 */
  claimTtlMs?: number;
  /**
   * Answer once the items are enqueued, and write the delivery's record after the answer, holding its
   * claim until the record is saved (then releasing it). A copy arriving meanwhile finds the claim
   * and gets 409, so it is retried and then answered from the record, as when two copies race; a
   * crash before the record is saved loses only the record, so a later redelivery is enqueued again,
   * which downstream absorbs (records are upserted by id) — the same outcome as a failed write of
   * the record today. Saves the record's round trip (a fdatasync, a Redis command, a database write)
   * on every new delivery's answer. @default false
   */
  rememberAfterAnswer?: boolean;
  /** Largest body accepted, in bytes; larger requests get 413. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /**
   * Deepest nesting of the decoded body (objects and arrays); deeper bodies get 400 naming where,
   * before the connector or the queue recurses into them. @default 64
   */
  maxJsonDepth?: number;
  /**
   * How long a resolved source (enabled flag, webhook scheme and decrypted secret, connector config;
   * never credentials) is reused without resolving it again. Changes made through the pipeline's
   * `sources` drop it at once; changes made by another process are seen within this bound (a secret
   * rotated elsewhere still verifies the old way for at most this long). 0 resolves on every request.
   * @default 5000
   */
  sourceCacheMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Accepted distance of signed timestamps from now, both ways. @default 300000 (5 minutes) */
  toleranceMs?: number;
  /** `Retry-After` seconds of 503 answers when the failure gives no hint. @default 5 */
  retryAfterSeconds?: number;
  /**
   * Called on server-side failures (the 5xx answers, and a delivery record that could not be saved),
   * for logging. The error never contains the webhook secret; do not add the request to logs as is.
   */
  onError?(error: unknown, context: WebhookParams & { stage: WebhookFailureStage }): void;
}

/**
 * A webhook request whose body was already read, with headers as node:http gives them: the input of
 * {@link WebhookHandler.handleRaw}, for servers that have no Fetch `Request` to hand.
 */
export interface RawWebhookRequest {
  /** @default 'POST' */
  method?: string;
  /** The absolute URL, as connectors see it. */
  url: string;
  /**
   * Header names in lower case, repeated values as arrays (an `IncomingMessage`'s `headers` as is).
   * Read in place, never copied: do not change it while the handler runs.
   */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The raw body. One longer than `maxBodyBytes` is answered 413, so a reader may stop after
   * `maxBodyBytes + 1` bytes.
   */
  body: Uint8Array;
}

/** A framework-agnostic webhook endpoint: on the Fetch API, or on plain values for node:http servers. */
export interface WebhookHandler {
  /**
   * Verifies and accepts one webhook request for a source. Answers 202 `{ accepted, ids }` once the
   * items are durably enqueued (or the pull is queued), 200 with `duplicate: true` for a redelivery,
   * and a JSON error `{ error: { code, message, issues? } }` otherwise.
   */
  handle(request: Request, params: WebhookParams): Promise<Response>;
  /**
   * {@link WebhookHandler.handle} for a body already read and node:http headers, answering plain
   * values: no Fetch `Request`, `Headers` or `Response` is built. Same steps, same answers.
   * @example
   * const reply = await webhooks.handleRaw({ url, headers: req.headers, body }, { workspaceId, sourceId });
   * res.writeHead(reply.status, reply.headers).end(reply.body);
   */
  handleRaw(request: RawWebhookRequest, params: WebhookParams): Promise<WebhookReply>;
  /** The body limit in force, for adapters that read the body themselves. */
  readonly maxBodyBytes: number;
}

/** Body of a 202 (or a duplicate's 200) answer. */
export interface WebhookAcceptedBody {
  accepted: number;
  /** Ids the records of the accepted items will have. */
  ids: string[];
  deliveryId?: string;
  /** Run id of the pull a thin webhook queued. */
  runId?: string;
  /** Set on the answer to a redelivery of an already accepted delivery. */
  duplicate?: true;
}

/** Thrown inside the handler to answer with a given error; carries the stage for `onError`. */
class Answer {
  constructor(
    readonly error: TributaryError,
    readonly stage?: WebhookFailureStage,
    readonly cause?: unknown,
    readonly status?: number,
    readonly headers?: Record<string, string>,
  ) {}
}

/** A request as the handler's steps see it, whichever entry it came through. */
interface IncomingWebhook {
  method: string;
  url: string;
  headers: Headers;
  /** The `Content-Length` header as it came (hop-by-hop, so not among `headers` of the raw entry). */
  contentLength: string | null | undefined;
  /** The body when it was read already (the raw entry): no closure or promise per request then. */
  body: Uint8Array | undefined;
  /** Reads the body when `body` is not given, at most `maxBodyBytes` of it. @throws TributaryError `payload_too_large` */
  readBody?(): Promise<Uint8Array>;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;
const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
const isZodError = (e: unknown): e is { issues: { path: PropertyKey[]; message: string }[] } =>
  e instanceof Error && e.name === 'ZodError' && Array.isArray((e as { issues?: unknown }).issues);

/**
 * Creates the webhook endpoint of a pipeline. In order, a request is: refused unless POST (405);
 * refused when `Content-Length` exceeds the limit (413); matched to its source (404, or 403 when
 * disabled); read with a cap (413); verified when the source has a secret — signature missing,
 * wrong, stale or future → 401; decoded (invalid UTF-8 or JSON, or nested deeper than `maxJsonDepth`
 * → 400); checked against delivery ids
 * already accepted (200, nothing enqueued again); parsed by the connector (its validation errors
 * → 400 naming the field); enqueued (202 only after `ingest` resolved; 503 with `Retry-After`
 * when it fails, and the delivery id is not remembered, so the sender's retry is processed).
 * @example
 * const webhooks = createWebhookHandler({ pipeline });
 * app.post('/webhooks/:workspaceId/:sourceId', honoWebhookHandler(webhooks));
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { pipeline } = options;
  const clock = options.clock ?? systemClock;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const toleranceMs = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  const retentionMs = options.dedupRetentionMs ?? 3 * 24 * 60 * 60 * 1000;
  const claimTtlMs = options.claimTtlMs ?? 60_000;
  const maxJsonDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const dedup: DedupStore | undefined =
    options.dedup === false ? undefined : (options.dedup ?? (pipeline.storage ? createStorageDedupStore(pipeline.storage, { clock }) : undefined));
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw createError('webhooks', 'config', 'maxBodyBytes must be a positive integer');
  if (!Number.isInteger(maxJsonDepth) || maxJsonDepth < 1) throw createError('webhooks', 'config', 'maxJsonDepth must be a positive integer');

  const webhookError = (code: TributaryError['code'], message: string, extra: { issues?: { path: string; message: string }[]; retryAfterMs?: number } = {}) =>
    createError('webhooks', code, message, extra);

  // Only what verification and parsing need is kept: the resolved credentials are dropped.
  const sourceCache = createResolvedSourceCache<WebhookSource>({
    clock,
    ttlMs: options.sourceCacheMs ?? 5000,
    resolve: async (workspaceId, sourceId) => {
      const { source, connector, config, webhookSecret } = await pipeline.sources.resolve(workspaceId, sourceId);
      return { source: { enabled: source.enabled, webhook: source.webhook }, connector, config, webhookSecret };
    },
  });
  pipeline.sources.onChange?.((workspaceId, sourceId) => sourceCache.invalidate(workspaceId, sourceId));

  /** Claims a delivery and looks for its record, in one step when the store can. */
  function claimOrGet(store: DedupStore, workspaceId: string, key: string): Promise<ClaimOutcome> {
    // The store's own promise as it is: no async layer of ours around the usual case.
    return store.claimOrGet ? store.claimOrGet(workspaceId, key, claimTtlMs) : claimThenGet(store, workspaceId, key);
  }

  /** {@link claimOrGet} over a store with separate `get` and `claim`. */
  async function claimThenGet(store: DedupStore, workspaceId: string, key: string): Promise<ClaimOutcome> {
    let release: (() => Promise<void>) | null = null;
    try {
      let previous = await store.get(workspaceId, key);
      if (!previous) {
        release = await store.claim(workspaceId, key, claimTtlMs);
        // Look again under the claim: a copy may have finished between the first look and the claim.
        if (release) previous = await store.get(workspaceId, key);
      }
      if (previous) {
        await release?.().catch(() => undefined);
        return { record: previous };
      }
      return release ? { release } : { busy: true };
    } catch (error) {
      await release?.().catch(() => undefined);
      throw error;
    }
  }

  async function resolve(params: WebhookParams): Promise<WebhookSource> {
    try {
      return await sourceCache.get(params.workspaceId, params.sourceId);
    } catch (error) {
      if (isTributaryError(error, 'not_found')) throw new Answer(webhookError('not_found', `no source ${JSON.stringify(params.sourceId)} in this workspace`));
      // Storage outages are worth a retry by the sender; broken configuration is not, but must not be lost either.
      const retryable = !isTributaryError(error) || error.retryable;
      throw new Answer(
        retryable ? webhookError('unavailable', 'the source could not be loaded; retry later') : webhookError('internal', 'the source could not be loaded'),
        'resolve',
        error,
      );
    }
  }

  async function process(request: IncomingWebhook, params: WebhookParams, receivedAt: number): Promise<WebhookReply> {
    if (request.method !== 'POST') {
      throw new Answer(webhookError('validation', `method ${request.method} is not allowed: webhooks are POSTed`), undefined, undefined, 405, { allow: 'POST' });
    }
    if (!params.workspaceId || !params.sourceId) throw new Answer(webhookError('not_found', 'the route names no workspace or source'));
    // Refuse an announced oversize body before any work or read.
    const declared = declaredLength(request.contentLength);
    if (declared !== undefined && declared > maxBodyBytes) throw new Answer(payloadTooLarge(maxBodyBytes));

    // A hit needs no await (the usual case under load).
    const resolved = sourceCache.peek(params.workspaceId, params.sourceId) ?? (await resolve(params));
    if (!resolved.source.enabled) throw new Answer(webhookError('forbidden', 'this source is disabled'));
    const spec = resolved.connector.webhook;
    if (!spec || !resolved.source.webhook) {
      throw new Answer(webhookError('not_found', spec ? 'this source does not accept webhooks (no webhook configured)' : `connector ${resolved.connector.name} does not accept webhooks`));
    }
    const schemeName = resolved.source.webhook.scheme ?? spec.signatureScheme;

    let rawBody: Uint8Array;
    if (request.body) {
      if (request.body.byteLength > maxBodyBytes) throw new Answer(payloadTooLarge(maxBodyBytes));
      rawBody = request.body;
    } else {
      try {
        rawBody = await request.readBody!();
      } catch (error) {
        if (isTributaryError(error, 'payload_too_large')) throw new Answer(error);
        throw new Answer(webhookError('validation', 'the request body could not be read'), undefined, error);
      }
    }
    const webhookRequest: WebhookRequest = { method: request.method, url: request.url, headers: request.headers, rawBody, receivedAt };

    const secret = resolved.webhookSecret;
    if (secret) {
      // Verification is mandatory once a secret exists, whatever headers the request carries or lacks.
      let verdict: SignatureVerification;
      try {
        const scheme = getSignatureScheme(schemeName);
        if (scheme.name === 'none') throw webhookError('config', 'this source has a webhook secret but signature scheme "none"; set its scheme');
        verdict = scheme.verify(webhookRequest, secret, clock.now(), { toleranceMs });
      } catch (error) {
        throw new Answer(isTributaryError(error, 'config') ? error : webhookError('internal', 'the signature could not be checked'), 'verify', error);
      }
      if (!verdict.ok) throw new Answer(webhookError(verdict.code, verdict.message));
    }

    const body = decodeBody(rawBody, request.headers.get('content-type'));
    const excess = findJsonDepthExcess(body, maxJsonDepth);
    if (excess) {
      const path = excess.path ? `body.${excess.path}` : 'body';
      throw new Answer(webhookError('validation', `request body is ${jsonDepthMessage(maxJsonDepth)} (at ${path})`, { issues: [{ path, message: jsonDepthMessage(maxJsonDepth) }] }));
    }
    const known = Object.hasOwn(signatureSchemes, schemeName) ? signatureSchemes[schemeName] : undefined;
    // The connector knows its provider best; then the scheme's header; then the generic Idempotency-Key.
    const deliveryId = spec.deliveryId?.(webhookRequest) ?? known?.deliveryId?.(webhookRequest, body) ?? (request.headers.get('idempotency-key')?.trim() || undefined);
    const key = deliveryId && dedup ? deliveryKey(params.sourceId, deliveryId) : undefined;

    let release: (() => Promise<void>) | null = null;
    if (key && dedup) {
      let outcome: ClaimOutcome;
      try {
        outcome = await claimOrGet(dedup, params.workspaceId, key);
      } catch (error) {
        throw new Answer(webhookError('unavailable', 'delivery ids could not be checked; retry later'), 'dedup', error);
      }
      if ('record' in outcome) {
        const previous = outcome.record;
        const answer: WebhookAcceptedBody = { accepted: previous.accepted, ids: previous.ids, deliveryId, duplicate: true, ...(previous.runId ? { runId: previous.runId } : {}) };
        return jsonReply(200, answer);
      }
      if ('busy' in outcome) {
        throw new Answer(webhookError('conflict', `delivery ${JSON.stringify(deliveryId)} is being processed by another request; retry later`, { retryAfterMs: 1000 }));
      }
      release = outcome.release;
    }

    try {
      const parsing = parse(spec, webhookRequest, body, { workspaceId: params.workspaceId, sourceId: params.sourceId, config: resolved.config });
      // A connector that parses synchronously (most do) costs no await.
      const result = parsing instanceof Promise ? await parsing : parsing;
      let accepted = 0;
      let ids: string[] = [];
      if (result.items.length > 0) {
        const traceparent = request.headers.get('traceparent')?.trim();
        // Built field by field, not spread: this runs for every delivery.
        const ingestOptions: { receivedAt: Date; traceparent?: string; payloadBytes?: number } = { receivedAt: new Date(receivedAt) };
        if (traceparent && TRACEPARENT.test(traceparent)) ingestOptions.traceparent = traceparent;
        // One item is at most about the delivery's body: what a shared message needs to know.
        if (result.items.length === 1) ingestOptions.payloadBytes = rawBody.byteLength;
        try {
          ({ accepted, ids } = await pipeline.ingest(params.workspaceId, params.sourceId, result.items, ingestOptions));
        } catch (error) {
          // An item the pipeline refuses as such (nested too deeply, say) fails the same way on every retry.
          if (isTributaryError(error, 'validation')) throw new Answer(error);
          const retryAfterMs = isTributaryError(error) ? error.retryAfterMs : undefined;
          throw new Answer(webhookError('unavailable', 'the items could not be enqueued; retry later', { retryAfterMs }), 'ingest', error);
        }
      }
      let runId: string | undefined;
      if (result.triggerFetch) {
        try {
          ({ runId } = await pipeline.trigger(params.workspaceId, params.sourceId, { trigger: 'webhook' }));
        } catch (error) {
          throw new Answer(webhookError('unavailable', 'the pull could not be queued; retry later'), 'trigger', error);
        }
      }
      if (key && dedup) {
        // Only now is the delivery safe: a failed enqueue above leaves no record, so the retry is processed.
        const now = clock.now();
        const record: DeliveryRecord = { sourceId: params.sourceId, deliveryId: deliveryId!, acceptedAt: isoString(now), expiresAt: now + retentionMs, accepted, ids };
        if (runId) record.runId = runId;
        const held = release;
        if (options.rememberAfterAnswer) {
          // The claim stays held until the record is saved (or its write failed), then goes back.
          release = null;
          void rememberThenRelease(dedup, params, key, record, held);
        } else if ((await remember(dedup, params, key, record)) && held) {
          // With the record saved, the claim guards nothing any more (a copy arriving now finds the
          // record, claim or not), so the answer need not wait for its release: one round trip less.
          release = null;
          void held().catch(() => undefined);
        }
      }
      if (result.response) return jsonReply(result.response.status, result.response.body, result.response.headers);
      const answer: WebhookAcceptedBody = { accepted, ids };
      if (deliveryId) answer.deliveryId = deliveryId;
      if (runId) answer.runId = runId;
      return jsonReply(202, answer);
    } finally {
      // Not `await release?.()`: awaiting nothing still costs a turn of the microtask queue.
      if (release) await release().catch(() => undefined);
    }
  }

  /**
   * Saves a delivery's record; true when it was saved. The items are enqueued already: a lost record
   * only means a redelivery is enqueued again, which is idempotent.
   */
  async function remember(store: DedupStore, params: WebhookParams, key: string, record: DeliveryRecord): Promise<boolean> {
    try {
      await store.remember(params.workspaceId, key, record);
      return true;
    } catch (error) {
      options.onError?.(error, { ...params, stage: 'remember' });
      return false;
    }
  }

  /** {@link remember}, then gives the claim back (`rememberAfterAnswer`, after the answer went out). */
  async function rememberThenRelease(store: DedupStore, params: WebhookParams, key: string, record: DeliveryRecord, held: (() => Promise<void>) | null) {
    // {@link remember}'s steps inline: one async frame less on every new delivery.
    try {
      await store.remember(params.workspaceId, key, record);
    } catch (error) {
      options.onError?.(error, { ...params, stage: 'remember' });
    }
    if (held) await held().catch(() => undefined);
  }

  /**
   * Runs the connector's parse: its result as it is when the connector answers synchronously, else a
   * promise of it. Either way a failure becomes its {@link Answer}.
   */
  function parse(spec: WebhookSpec<unknown>, request: WebhookRequest, body: unknown, context: WebhookParams & { config: unknown }): WebhookParseResult | Promise<WebhookParseResult> {
    let result: WebhookParseResult | PromiseLike<WebhookParseResult>;
    try {
      result = spec.parse(request, body, context);
    } catch (error) {
      throw parseFailure(error);
    }
    if (isPromiseLike(result)) return settleParse(result);
    return checkParseResult(result);
  }

  /** {@link parse} for a connector that answered with a promise. */
  async function settleParse(pending: PromiseLike<WebhookParseResult>): Promise<WebhookParseResult> {
    let result: WebhookParseResult;
    try {
      result = await pending;
    } catch (error) {
      throw parseFailure(error);
    }
    return checkParseResult(result);
  }

  /** A parse result without an items array is the connector's bug (500), never the sender's. */
  function checkParseResult(result: WebhookParseResult): WebhookParseResult {
    if (!result || !Array.isArray(result.items)) throw new Answer(webhookError('internal', 'the connector returned no items array'), 'parse');
    return result;
  }

  /** The answer to a connector's parse failure: its validation errors are the sender's (400), the rest ours. */
  function parseFailure(error: unknown): Answer {
    if (isZodError(error)) return new Answer(fromZodError('webhooks', 'webhook body', error, ['body']));
    if (isTributaryError(error)) return new Answer(error, error.code === 'validation' ? undefined : 'parse', error);
    return new Answer(webhookError('internal', 'the connector failed to parse the webhook'), 'parse', error);
  }

  /** Both entries: the steps, and every failure turned into its answer. */
  async function reply(request: IncomingWebhook, params: WebhookParams): Promise<WebhookReply> {
    const receivedAt = clock.now();
    try {
      return await process(request, params, receivedAt);
    } catch (thrown) {
      const answer = thrown instanceof Answer ? thrown : new Answer(isTributaryError(thrown, 'validation') ? thrown : webhookError('internal', 'internal error'), 'internal', thrown);
      const failure = errorReply(answer.error, { status: answer.status, headers: answer.headers, retryAfterSeconds: options.retryAfterSeconds });
      if (failure.status >= 500 && answer.stage) options.onError?.(answer.cause ?? answer.error, { ...params, stage: answer.stage });
      return failure;
    }
  }

  return {
    maxBodyBytes,
    async handle(request, params) {
      const incoming: IncomingWebhook = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        contentLength: request.headers.get('content-length'),
        body: undefined,
        readBody: () => readStreamCapped(request.body, maxBodyBytes),
      };
      return toResponse(await reply(incoming, params));
    },
    handleRaw(request, params) {
      const incoming: IncomingWebhook = {
        method: (request.method ?? 'POST').toUpperCase(),
        url: request.url,
        headers: new PlainHeaders(request.headers),
        contentLength: single(request.headers['content-length']),
        body: request.body,
      };
      return reply(incoming, params);
    },
  };
}
