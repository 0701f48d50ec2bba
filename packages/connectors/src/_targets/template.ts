import { z } from 'zod';
import type { OutboundMessage } from '@tributary/core/target';
import { summarizeMessage } from './summary.js';

/**
 * A template, or templates by message type (`'*'` for any other type). A type without a template gets
 * the default rendering.
 */
export const templateSchema = () => z.union([z.string().min(1), z.record(z.string().min(1), z.string().min(1))]);
export type TemplateOption = z.output<ReturnType<typeof templateSchema>>;

/** Picks the template for a message type, or undefined for the default rendering. */
export function templateFor(option: TemplateOption | undefined, type: string): string | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'string') return option;
  return option[type] ?? option['*'];
}

const PLACEHOLDER = /\{\{\{\s*([\w.$-]+)\s*\}\}\}|\{\{\s*([\w.$-]+)\s*\}\}/g;

/**
 * What a template can use: the message's fields (`id`, `type`, `workspaceId`, `createdAt`,
 * `idempotencyKey`, `payload.…` at any depth) plus `headline` and `details`, the default rendering.
 */
export function templateView(message: OutboundMessage): Record<string, unknown> {
  const summary = summarizeMessage(message);
  return { ...message, headline: summary.headline, details: summary.details.join('\n') };
}

function lookup(view: Record<string, unknown>, path: string): unknown {
  let value: unknown = view;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const text = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return '';
  }
};

/**
 * Renders `{{path}}` placeholders (escaped with `escape`) and `{{{path}}}` (inserted as is) from
 * {@link templateView}. An unknown path renders as nothing. The message's own content is never
 * interpreted as a template, so it cannot inject placeholders.
 * @example
 * renderTemplate('{{headline}} ({{payload.record.reference}})', message, escapeSlack)
 */
export function renderTemplate(template: string, message: OutboundMessage, escape: (text: string) => string): string {
  const view = templateView(message);
  return template.replace(PLACEHOLDER, (_, raw: string | undefined, escaped: string | undefined) => (raw !== undefined ? text(lookup(view, raw)) : escape(text(lookup(view, escaped!)))));
}
