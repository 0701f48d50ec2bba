/**
 * @module @tributary/core/http
 * The HTTP client connectors pull with: a per-request timeout; retries with exponential backoff and
 * full jitter (p-retry) on network errors, 408, 429 and 5xx; the provider's own wait hints
 * (`Retry-After`, Discourse's `extras.wait_seconds`, GitHub's `X-RateLimit-Reset`); and proactive
 * throttling from the budget a connector declares (bottleneck), so a well-configured sync never sees a
 * 429. Plus pagination helpers (page number, cursor, `Link` header, offset) as async iterators.
 *
 * Wire it into a pipeline with `createPipeline({ …, connectorFetch: createConnectorFetchFactory() })`.
 */
export {
  createConnectorFetchFactory,
  createHttpClient,
  type ConnectorFetchFactory,
  type HttpClient,
  type HttpClientOptions,
  type HttpClientSingleOptions,
  type RetryEvent,
  type RetryReason,
} from './client.js';
export { fullJitterDelay } from './backoff.js';
export { checkBudget } from './throttle.js';
export {
  defaultBudgetHints,
  defaultWaitHints,
  discourseWaitHint,
  githubRateLimitHint,
  parseRetryAfter,
  readWaitHints,
  retryAfterHint,
  type WaitHint,
} from './wait-hints.js';
export { codeForStatus, errorForResponse, type ResponseErrorOptions } from './response-error.js';
export { parseLinkHeader, type LinkValue } from './link-header.js';
export {
  paginateCursor,
  paginateLinkHeader,
  paginateOffset,
  paginatePageNumber,
  type CursorOptions,
  type LinkHeaderOptions,
  type OffsetOptions,
  type PageNumberOptions,
  type PageRequest,
  type PageResult,
  type PaginateOptionsBase,
} from './pagination.js';
