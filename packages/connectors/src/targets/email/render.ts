import type { OutboundMessage } from '@tributary/core/target';
import { summarizeMessage } from '../../_targets/summary.js';
import { renderTemplate, templateFor } from '../../_targets/template.js';
import type { EmailTargetConfig } from './schemas.js';

/** Escapes text for HTML; line breaks become `<br>`. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r?\n/g, '<br>\n');
}

const plain = (text: string) => text;
const MAX_SUBJECT = 255;

/** The subject, text and HTML of one email. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Renders a message into an email with the configured templates, or the default rendering: the
 * headline as subject, the headline and detail lines as body.
 */
export function renderEmail(message: OutboundMessage, config: Pick<EmailTargetConfig, 'subject' | 'text' | 'html'>): RenderedEmail {
  const summary = summarizeMessage(message);
  const subjectTemplate = templateFor(config.subject, message.type);
  const textTemplate = templateFor(config.text, message.type);
  const htmlTemplate = templateFor(config.html, message.type);

  const rawSubject = subjectTemplate !== undefined ? renderTemplate(subjectTemplate, message, plain) : summary.headline;
  const oneLine = rawSubject.replace(/\s+/g, ' ').trim() || message.type;
  const subject = oneLine.length > MAX_SUBJECT ? `${oneLine.slice(0, MAX_SUBJECT - 1)}…` : oneLine;

  const text = textTemplate !== undefined ? renderTemplate(textTemplate, message, plain) : [summary.headline, '', ...summary.details].join('\n').trimEnd();
  let html: string;
  if (htmlTemplate !== undefined) html = renderTemplate(htmlTemplate, message, escapeHtml);
  else if (textTemplate !== undefined) html = `<p>${escapeHtml(text)}</p>`;
  else html = `<p><strong>${escapeHtml(summary.headline)}</strong></p>${summary.details.length ? `\n<p>${summary.details.map(escapeHtml).join('<br>\n')}</p>` : ''}`;
  return { subject, text, html };
}
