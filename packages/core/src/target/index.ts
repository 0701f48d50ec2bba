/**
 * @module @tributary/core/target
 * The target interface: where processed records and messages are pushed downstream (an HTTP API, a
 * signed webhook, Slack, email…). A target sends one message and reports what the receiver said,
 * including any rate budget it announced, so the dispatcher can pace itself.
 */
import type { z } from 'zod';
import type { FetchFunction } from '../connector/index.js';

/** A message to deliver downstream. */
export interface OutboundMessage<T = unknown> {
  /** Unique id of the message. */
  id: string;
  /** Sent to the receiver (header `Idempotency-Key`) so a redelivery is recognised. */
  idempotencyKey: string;
  /** E.g. `record.processed`, `record.alert`. */
  type: string;
  workspaceId: string;
  payload: T;
  /** ISO time the message was created. */
  createdAt: string;
}

/** A budget the receiver announced (e.g. Shopify's call limit header, GraphQL throttle status). */
export interface AnnouncedBudget {
  /** Requests (or cost points) still available now. */
  remaining: number;
  limit?: number;
  /** Points restored per second, if the receiver says. */
  restorePerSecond?: number;
  /** When the budget resets fully (epoch ms), if the receiver says. */
  resetAt?: number;
}

/** What happened to one delivery. Any non-2xx answer is a failure. */
export interface DeliveryResult {
  ok: boolean;
  status?: number;
  /** The receiver asked to wait (Retry-After): pause the whole target this long. */
  retryAfterMs?: number;
  budget?: AnnouncedBudget;
  /** A failure retrying cannot fix (e.g. 400 for a malformed message, 404 for a deleted hook). */
  permanent?: boolean;
  error?: string;
}

/** What `send` receives besides the message. */
export interface SendContext<Config> {
  config: Config;
  signal: AbortSignal;
  fetch: FetchFunction;
}

/** A downstream target. */
export interface Target<Config = unknown> {
  readonly name: string;
  readonly version: string;
  readonly configSchema: z.ZodType<Config>;
  send(message: OutboundMessage, context: SendContext<Config>): Promise<DeliveryResult>;
}

/** Identity function that gives a target literal its types. */
export function defineTarget<Config>(target: Target<Config>): Target<Config> {
  return target;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTarget = Target<any>;
