import type { OutboundMessage } from '@tributary/core/target';

/**
 * A short readable description of a message, as plain (unescaped) text: one headline and a few detail
 * lines. Slack and email format it their own way.
 */
export interface MessageSummary {
  headline: string;
  details: string[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
const EXCERPT = 200;
const excerpt = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT)}…` : line;
};
const compact = (lines: (string | undefined | false)[]): string[] => lines.filter((l): l is string => typeof l === 'string' && l !== '');

/** `positive 12.50 EUR` from a seed 003 measurement. */
function amount(m: Obj): string {
  return compact([str(m.type), str(m.value), str(m.unit)]).join(' ');
}

function measurementLines(m: Obj): string[] {
  return compact([
    str(m.sourceId) && str(m.destinationId) ? `From ${str(m.sourceId)} to ${str(m.destinationId)}` : str(m.destinationId) && `To ${str(m.destinationId)}`,
    str(m.reference) && `Reference: ${str(m.reference)}`,
    str(m.time) && `Time: ${str(m.time)}`,
  ]);
}

const verb: Record<string, string> = { created: 'New', updated: 'Edited' };

function processed(payload: Obj | undefined): MessageSummary | undefined {
  const record = obj(payload?.record);
  if (!record) return undefined;
  const status = str(payload?.status);
  const m = obj(record.measurement);
  if (m) return { headline: `${(status && verb[status]) ?? 'Processed'} value record: ${amount(m)}`, details: measurementLines(m) };
  const content = obj(record.content);
  const author = obj(record.author);
  const sentiment = obj(obj(record.analysis)?.sentiment);
  const text = str(content?.text);
  return {
    headline: `${(status && verb[status]) ?? 'Processed'} ${str(record.itemType) ?? 'record'}${str(content?.title) ? `: ${excerpt(str(content?.title)!)}` : ''}`,
    details: compact([
      text && excerpt(text),
      (str(author?.name) ?? str(author?.username)) && `By ${str(author?.name) ?? str(author?.username)}`,
      str(sentiment?.label) && `Sentiment: ${str(sentiment?.label)}`,
      str(content?.url),
    ]),
  };
}

function notification(payload: Obj | undefined): MessageSummary | undefined {
  const m = obj(payload?.record);
  if (!m) return undefined;
  const summary = obj(payload?.summary);
  const totals = obj(summary?.totals);
  const count = typeof summary?.count === 'number' ? summary.count : undefined;
  const earlier =
    count === undefined
      ? undefined
      : count === 0
        ? 'No earlier records'
        : `Earlier records: ${count} (positive ${str(totals?.positive) ?? '0'}, negative ${str(totals?.negative) ?? '0'}), ${str(summary?.firstTime) ?? '?'} to ${str(summary?.lastTime) ?? '?'}`;
  return { headline: `Value record: ${amount(m)}${str(m.destinationId) ? ` to ${str(m.destinationId)}` : ''}`, details: compact([...measurementLines(m), earlier]) };
}

function alert(payload: Obj | undefined): MessageSummary | undefined {
  const m = obj(payload?.record);
  if (!m) return undefined;
  const unit = str(m.unit) ?? '';
  return {
    headline: `Alert: ${compact([str(m.value), unit]).join(' ')}${str(m.destinationId) ? ` to ${str(m.destinationId)}` : ''} is above the threshold${str(payload?.threshold) ? ` of ${compact([str(payload?.threshold), unit]).join(' ')}` : ''}`,
    details: compact([str(payload?.exceededBy) && `Exceeded by ${compact([str(payload?.exceededBy), unit]).join(' ')}`, ...measurementLines(m)]),
  };
}

const describers: Record<string, (payload: Obj | undefined) => MessageSummary | undefined> = {
  'record.processed': processed,
  'record.notification': notification,
  'record.alert': alert,
};

/**
 * Describes `record.processed`, `record.notification` and `record.alert` messages; any other type (or
 * a payload of an unexpected shape) gets its type and id.
 */
export function summarizeMessage(message: OutboundMessage): MessageSummary {
  const described = describers[message.type]?.(obj(message.payload));
  return described ?? { headline: message.type, details: [`Message ${message.id} (workspace ${message.workspaceId})`] };
}
