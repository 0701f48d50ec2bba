/**
 * @module @tributary/core/webhooks
 * The push runtime: a framework-agnostic webhook endpoint (Fetch `Request` → `Response`, or a read
 * body and node:http headers → status, headers and JSON for node:http servers) that
 * verifies signatures over the raw body in constant time — mandatory whenever the source has a
 * secret — deduplicates redeliveries, and answers 202 only once the items are durably enqueued.
 * Signature schemes (Standard Webhooks, GitHub, Stripe, Shopify, Slack, Discourse) come with their
 * signers. Thin adapters for node:http, Express, Fastify and Hono use structural types only: no
 * framework is imported. See docs/webhooks.md.
 */
export {
  createWebhookHandler,
  type RawWebhookRequest,
  type WebhookAcceptedBody,
  type WebhookFailureStage,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookParams,
  type WebhookPipeline,
  type WebhookSource,
} from './handler.js';
export {
  DEFAULT_TOLERANCE_MS,
  type SignatureScheme,
  type SignatureVerification,
  type SignOptions,
  type VerificationFailureReason,
  type VerifyOptions,
} from './scheme.js';
export { getSignatureScheme, noneScheme, signatureSchemes } from './schemes.js';
export {
  decodeStandardWebhooksSecret,
  generateStandardWebhooksSecret,
  signStandardWebhook,
  standardWebhooksScheme,
  type StandardWebhookSignInput,
} from './standard-webhooks.js';
export {
  discourseScheme,
  githubScheme,
  shopifyScheme,
  signDiscourse,
  signGithub,
  signShopify,
  signSlack,
  signStripe,
  slackScheme,
  stripeScheme,
} from './provider-schemes.js';
export { createStorageDedupStore, deliveryKey, type ClaimOutcome, type DedupStorage, type DedupStore, type DeliveryRecord, type StorageDedupStoreOptions } from './dedup.js';
export { createResolvedSourceCache, type ResolvedSourceCache } from './source-cache.js';
export { DEFAULT_MAX_BODY_BYTES, decodeBody, readStreamCapped } from './body.js';
export { errorResponse, type ErrorResponseOptions, type WebhookReply } from './responses.js';
export { PlainHeaders } from './plain-headers.js';
export {
  expressWebhookHandler,
  nodeWebhookListener,
  paramsFromPath,
  toFetchRequest,
  writeFetchResponse,
  type ExpressLikeRequest,
  type NodeAdapterOptions,
  type NodeIncomingRequest,
  type NodeServerResponse,
} from './node.js';
export { fastifyWebhookHandler, type FastifyAdapterOptions, type FastifyLikeReply, type FastifyLikeRequest } from './fastify.js';
export { honoWebhookHandler, type HonoAdapterOptions, type HonoLikeContext } from './hono.js';
