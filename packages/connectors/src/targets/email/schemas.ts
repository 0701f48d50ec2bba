import { z } from 'zod';
import { httpUrl, secretString } from '../../_targets/schema.js';
import { templateSchema } from '../../_targets/template.js';

/** An address: `'ops@example.com'` or `{ email: 'ops@example.com', name: 'Ops' }`. */
export const EmailAddressSchema = z
  .union([z.email(), z.object({ email: z.email(), name: z.string().trim().min(1).optional() })])
  .transform((address) => (typeof address === 'string' ? { email: address } : address));
export type EmailAddress = z.output<typeof EmailAddressSchema>;

/**
 * Configuration of the email target (a SendGrid-v3-compatible HTTP API).
 * @example
 * ```ts
 * {
 *   apiKey: process.env.SENDGRID_API_KEY,
 *   from: { email: 'alerts@example.com', name: 'Tributary' },
 *   to: ['ops@example.com'],
 *   subject: { 'record.alert': '[Alert] {{headline}}' },
 * }
 * ```
 */
export const EmailTargetConfigSchema = z
  .object({
    /**
     * The API's origin; `/v3/mail/send` is appended. Point it at any SendGrid-v3-compatible service
     * (or a local mock).
     * @default 'https://api.sendgrid.com'
     */
    baseUrl: httpUrl()
      .default('https://api.sendgrid.com')
      .transform((url) => url.replace(/\/+$/, '')),
    /** The API key, sent as `Authorization: Bearer <key>`. A secret: never logged, never in an error. */
    apiKey: secretString('The SendGrid API key'),
    /** The sender; it must be a verified sender or domain of the account. */
    from: EmailAddressSchema,
    /** Recipients; all of them get one email together. */
    to: z.array(EmailAddressSchema).min(1).max(1000),
    /** Copy recipients. */
    cc: z.array(EmailAddressSchema).max(1000).optional(),
    /** Blind copy recipients. */
    bcc: z.array(EmailAddressSchema).max(1000).optional(),
    /** Where replies go. */
    replyTo: EmailAddressSchema.optional(),
    /**
     * The subject, as a template or templates by message type (`'*'` for any other type). Paths:
     * `headline`, `details`, `type`, `id`, `workspaceId`, `createdAt`, `payload.…`. Line breaks
     * become spaces.
     * @default the message's headline, e.g. `Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR`
     * @example { 'record.alert': '[Alert] {{payload.record.value}} {{payload.record.unit}}' }
     */
    subject: templateSchema().optional(),
    /**
     * The plain-text body, as a template or templates by message type.
     * @default the headline, a blank line, then the detail lines
     * @example 'Hello,\n\n{{headline}}\n{{details}}'
     */
    text: templateSchema().optional(),
    /**
     * The HTML body, as a template or templates by message type; `{{path}}` is HTML-escaped (line
     * breaks become `<br>`), `{{{path}}}` is inserted as is.
     * @default the text body, escaped, in a paragraph
     * @example '<h1>{{headline}}</h1><p>{{details}}</p>'
     */
    html: templateSchema().optional(),
    /** Categories SendGrid files the email under (at most 10). */
    categories: z.array(z.string().min(1).max(255)).max(10).optional(),
    /**
     * SendGrid's sandbox mode: the request is validated but no email is sent.
     * @default false
     */
    sandboxMode: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    // SendGrid refuses (400) an address that appears twice among to, cc and bcc.
    const seen = new Set<string>();
    for (const field of ['to', 'cc', 'bcc'] as const) {
      (config[field] ?? []).forEach((address, i) => {
        // Runs even when an address failed its own check: skip those.
        if (typeof address?.email !== 'string') return;
        const key = address.email.toLowerCase();
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [field, i], message: 'appears more than once among to, cc and bcc' });
        seen.add(key);
      });
    }
  });

/** Configuration of the email target, defaults applied. */
export type EmailTargetConfig = z.output<typeof EmailTargetConfigSchema>;
/** Configuration of the email target as written by a user. */
export type EmailTargetConfigInput = z.input<typeof EmailTargetConfigSchema>;
