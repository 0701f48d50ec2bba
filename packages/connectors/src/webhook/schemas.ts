import { z } from 'zod';
import { DotPathSchema, FieldMappingSchema, FieldSourceSchema } from '../_mapping/index.js';

/**
 * Configuration of a generic webhook source. All optional: with none of it, the usual shapes are
 * read (see the module documentation). The signature scheme is the source's `webhook.scheme`.
 * @example
 * ```ts
 * { itemType: 'acme.feedback', eventsPath: 'payload.items', idPath: 'feedback_id', mapping: { text: 'comment', attributes: { review: { score: 'nps' } } } }
 * ```
 */
export const WebhookConfigSchema = z.strictObject({
  /** What the events are, e.g. `acme.feedback`. @default 'webhook.event' */
  itemType: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower case letters, digits, dots, dashes or underscores, e.g. "acme.feedback"')
    .default('webhook.event'),
  /**
   * Dot path of the events array in a body. When unset: a body that is an array is a batch, so is
   * `{ events: [...] }`; any other object is one event.
   */
  eventsPath: DotPathSchema.optional(),
  /**
   * Dot path(s) of each event's id. When none holds one, the delivery id header is the id (with the
   * event's index in a batch), else a hash of the event.
   * @default ['id', 'uuid', 'event_id', 'eventId', 'data.id']
   */
  idPath: FieldSourceSchema.optional(),
  /** How events become records; fields left out are looked up under their usual names. */
  mapping: FieldMappingSchema.default({}),
});
/** Configuration of a webhook source, defaults applied. */
export type WebhookConfig = z.output<typeof WebhookConfigSchema>;
/** Configuration of a webhook source as written by a user. */
export type WebhookConfigInput = z.input<typeof WebhookConfigSchema>;

/** The payload of a `webhook` raw item: the event verbatim, plus what parsing needs from the request. */
export const WebhookEventPayloadSchema = z.object({
  event: z.record(z.string(), z.unknown()),
  /** When the request arrived: the record's time when the event carries none. */
  receivedAt: z.iso.datetime({ offset: true }),
  deliveryId: z.string().optional(),
});
export type WebhookEventPayload = z.output<typeof WebhookEventPayloadSchema>;
