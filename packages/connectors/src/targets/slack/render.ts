import type { OutboundMessage } from '@tributary/core/target';
import { summarizeMessage } from '../../_targets/summary.js';
import { renderTemplate, templateFor } from '../../_targets/template.js';
import type { SlackTargetConfig } from './schemas.js';

/** Slack truncates `text` beyond this; a section block's text may not be longer than 3,000. */
const MAX_TEXT = 40_000;
const MAX_SECTION = 3000;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A Slack incoming webhook body. */
export interface SlackWebhookBody {
  text: string;
  blocks?: Record<string, unknown>[];
}

/** The text of a message in Slack mrkdwn: the template for its type, or `*headline*` and the details. */
export function renderSlackText(message: OutboundMessage, template?: SlackTargetConfig['template']): string {
  const chosen = templateFor(template, message.type);
  if (chosen !== undefined) return renderTemplate(chosen, message, escapeSlack);
  const summary = summarizeMessage(message);
  return [`*${escapeSlack(summary.headline)}*`, ...summary.details.map(escapeSlack)].join('\n');
}

/**
 * The body posted to the webhook: `{ text }`, plus `blocks` when configured.
 * @example
 * renderSlackMessage(alert, { blocks: false }) // { text: '*Alert: 1500 EUR to acct-9 is above the threshold of 1000 EUR*\n…' }
 */
export function renderSlackMessage(message: OutboundMessage, config: Pick<SlackTargetConfig, 'template' | 'blocks'>): SlackWebhookBody {
  const text = renderSlackText(message, config.template);
  if (!config.blocks) return { text: truncate(text, MAX_TEXT) };
  return {
    text: truncate(text, MAX_TEXT),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(text, MAX_SECTION) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(`${message.type} · ${message.createdAt}`) }] },
    ],
  };
}
