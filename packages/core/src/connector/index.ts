/**
 * @module @tributary/core/connector
 * The connector interface. A connector declares its name, version and zod schemas for its config,
 * credentials and checkpoint, and implements any of: `fetch` (pull pages with a checkpoint),
 * `parse` (raw item → record drafts) and `webhook` (verify and parse a pushed request).
 * Write one with {@link defineConnector}; test it with `testConnector` from `@tributary/core/testing`.
 */
import type { z } from 'zod';
import type { Clock } from '../clock/index.js';
import type { RecordDraft } from '../record/schema.js';

/** A Fetch-API compatible function. The runtime hands connectors one that is rate-limited and retries. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** One item exactly as the source gave it (plus any context the connector attached). */
export interface RawItem {
  /** The item's own id at the source; the record id is derived from it. */
  externalId: string;
  /** What the item is, e.g. `discourse.post`. */
  itemType: string;
  /** JSON payload, kept verbatim for re-parsing. */
  payload: unknown;
}

/** A budget of requests a connection may spend, used to throttle before the provider says 429. */
export interface RateBudget {
  /** Requests allowed per interval. */
  requests: number;
  /** Interval length in milliseconds. */
  perMs: number;
  /** Requests at once. @default 4 */
  concurrency?: number;
}

/** What `fetch` receives. */
export interface FetchContext<Config, Credentials, Checkpoint> {
  workspaceId: string;
  sourceId: string;
  config: Config;
  credentials: Credentials;
  /** The last checkpoint saved for this source, or null on the first run. */
  checkpoint: Checkpoint | null;
  /** Use this instead of global fetch: it applies the connection's rate budget, timeouts and retries. */
  fetch: FetchFunction;
  signal: AbortSignal;
  clock: Clock;
  /**
   * Stores new credentials for this source (encrypted), e.g. when an OAuth2 provider rotated the
   * refresh token. Resolves false when the credentials changed meanwhile (a user reconnected): the
   * newer ones win. Pass it as `onTokens` to `oauth2RefreshToken` from `@tributary/core/auth`.
   */
  saveCredentials?(next: Credentials): Promise<boolean>;
}

/** One page a `fetch` yields. The checkpoint is saved only after the page's items are safely enqueued. */
export interface FetchPage<Checkpoint> {
  items: RawItem[];
  /** Where the next run resumes if this one stops after this page. */
  checkpoint: Checkpoint;
}

/** What `parse` receives besides the raw item. */
export interface ParseContext<Config> {
  workspaceId: string;
  sourceId: string;
  config: Config;
}

/** What `check` receives: it must make one cheap authenticated call and throw when it fails. */
export interface CheckContext<Config, Credentials> {
  config: Config;
  credentials: Credentials;
  fetch: FetchFunction;
  signal: AbortSignal;
}

/** A webhook request, framework-agnostic. `rawBody` is exactly the bytes received (signatures cover them). */
export interface WebhookRequest {
  method: string;
  url: string;
  headers: Headers;
  rawBody: Uint8Array;
  /** Time the request was received (epoch ms). */
  receivedAt: number;
}

/** The outcome of parsing a webhook. */
export interface WebhookParseResult {
  /** Items carried by the request. */
  items: RawItem[];
  /**
   * Set by "thin" webhooks that only say something changed: the runtime triggers a pull of the source
   * (seed 000: the webhook service notifies the fetcher).
   */
  triggerFetch?: { reason: string };
  /**
   * An answer the provider expects instead of the usual 202, after the items (if any) are enqueued —
   * e.g. Slack's `url_verification` handshake, which must echo its `challenge` with 200.
   */
  response?: { status: number; body: unknown; headers?: Record<string, string> };
}

/** Names of the signature schemes the webhook runtime verifies. */
export type SignatureSchemeName = 'standard-webhooks' | 'github' | 'stripe' | 'shopify' | 'slack' | 'discourse' | 'none';

/** How a connector receives pushes. */
export interface WebhookSpec<Config> {
  /** The scheme its provider signs with. A source may override it. */
  signatureScheme: SignatureSchemeName;
  /** The provider's delivery id (for redelivery dedup), if the request carries one. */
  deliveryId?(request: WebhookRequest): string | undefined;
  /** Turns a verified request into raw items. Throw a `validation` error for a malformed body. */
  parse(request: WebhookRequest, body: unknown, context: ParseContext<Config>): WebhookParseResult | Promise<WebhookParseResult>;
}

/**
 * A connector. `Config` is the non-secret configuration, `Credentials` the secrets (encrypted at
 * rest), `Checkpoint` the sync position it resumes from.
 */
export interface Connector<Config = unknown, Credentials = unknown, Checkpoint = unknown> {
  /** Unique, kebab-case, e.g. `discourse`. */
  readonly name: string;
  /** Semver. Records remember it; a new major or minor means records may be re-parsed. */
  readonly version: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly configSchema: z.ZodType<Config>;
  readonly credentialsSchema?: z.ZodType<Credentials>;
  readonly checkpointSchema?: z.ZodType<Checkpoint>;
  /** The provider's request budget for a connection, so pulls throttle before any 429. */
  rateBudget?(config: Config): RateBudget | undefined;
  /** Verifies credentials with one cheap call; throws a `unauthorized` or `config` error when they fail. */
  check?(context: CheckContext<Config, Credentials>): Promise<void>;
  /** Pulls pages of raw items after the checkpoint. */
  fetch?(context: FetchContext<Config, Credentials, Checkpoint>): AsyncIterable<FetchPage<Checkpoint>>;
  /** Turns a raw item into zero or more record drafts. Must be pure: no I/O, same input → same output. */
  parse?(item: RawItem, context: ParseContext<Config>): RecordDraft[] | Promise<RecordDraft[]>;
  readonly webhook?: WebhookSpec<Config>;
}

/** Identity function that gives a connector literal its types. */
export function defineConnector<Config, Credentials = undefined, Checkpoint = unknown>(
  connector: Connector<Config, Credentials, Checkpoint>,
): Connector<Config, Credentials, Checkpoint> {
  return connector;
}

/** A connector whose type parameters are erased, as registries hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConnector = Connector<any, any, any>;
