import { createError, type FieldIssue } from '@tributary/core/errors';
import type { RecordDraft } from '@tributary/core/record';
import { htmlToText } from './html-text.js';
import { describeSource, readSource, type Found } from './read.js';
import type { FieldMapping, FieldSource } from './schema.js';
import { toIsoTime } from './time.js';

/** What {@link applyMapping} needs besides the item and the mapping. */
export interface ApplyMappingOptions {
  externalId: string;
  itemType: string;
  /** Names the component in errors, e.g. `http-connector`. */
  component: string;
  /** Names the item in errors, e.g. `item 42` or `line 17`. */
  what: string;
  /** Used for fields the mapping leaves out (the "usual shapes" of a source kind). */
  defaults?: FieldMapping;
  /** The time used when `occurredAt` finds no value (a webhook's receive time). Without it that is an error. */
  fallbackTime?: string;
}

type Author = NonNullable<RecordDraft['author']>;
type Content = NonNullable<RecordDraft['content']>;
const AUTHOR_FIELDS = ['platformUserId', 'username', 'name', 'email', 'avatarUrl', 'profileUrl'] as const;
const GROUPS = ['review', 'conversation', 'metadata'] as const;

/**
 * Turns one item into a record draft by its field mapping. Collects every problem before throwing, so
 * one error names all the fields to fix.
 * @throws TributaryError `validation` whose issues name each field (`occurredAt`, `author.username`…)
 */
export function applyMapping(item: unknown, mapping: FieldMapping, options: ApplyMappingOptions): RecordDraft {
  const issues: FieldIssue[] = [];
  const pick = <K extends keyof FieldMapping>(key: K): FieldMapping[K] => mapping[key] ?? options.defaults?.[key];
  const text = (field: string, source: FieldSource | undefined) => asText(field, readSource(item, source), issues);

  const occurredFound = readSource(item, pick('occurredAt'));
  let occurredAt = asTime('occurredAt', occurredFound, issues);
  if (occurredFound === undefined) {
    occurredAt = options.fallbackTime;
    if (occurredAt === undefined) {
      const source = pick('occurredAt');
      issues.push({ path: 'occurredAt', message: source ? `no value at ${describeSource(source)}` : 'not mapped: set mapping.occurredAt' });
    }
  }
  const updatedAt = asTime('updatedAt', readSource(item, pick('updatedAt')), issues);

  const html = text('html', pick('html'));
  const content: Content = compact({
    text: text('text', pick('text')) ?? (html ? htmlToText(html) : undefined),
    title: text('title', pick('title')),
    html,
    url: text('url', pick('url')),
  });

  const authorMapping = { ...options.defaults?.author, ...mapping.author };
  const author: Author = {};
  for (const field of AUTHOR_FIELDS) {
    const found = readSource(item, authorMapping[field]);
    if (found === undefined) continue;
    if (field === 'platformUserId' && typeof found.value === 'number') author.platformUserId = found.value;
    else author[field] = asText(`author.${field}`, found, issues);
  }

  const attributes: Record<string, Record<string, unknown>> = {};
  for (const group of GROUPS) {
    const fields = mapping.attributes?.[group] ?? options.defaults?.attributes?.[group];
    if (!fields) continue;
    // A missing value is null, so every record of the source has the same attribute keys.
    attributes[group] = Object.fromEntries(Object.entries(fields).map(([name, source]) => [name, readSource(item, source)?.value ?? null]));
  }

  const language = text('language', pick('language'));
  const tags = asTags(readSource(item, pick('tags')), issues);

  if (issues.length > 0) {
    const first = issues[0]!;
    throw createError(options.component, 'validation', `invalid ${options.what} (${first.path}: ${first.message})`, { issues });
  }
  return {
    externalId: options.externalId,
    itemType: options.itemType,
    occurredAt: occurredAt!,
    ...(updatedAt ? { sourceUpdatedAt: updatedAt } : {}),
    ...(language ? { language } : {}),
    ...(Object.keys(author).length ? { author: compact(author) } : {}),
    ...(Object.keys(content).length ? { content } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
    ...(tags?.length ? { tags } : {}),
  };
}

function asText(field: string, found: Found | undefined, issues: FieldIssue[]): string | undefined {
  if (found === undefined) return undefined;
  const { value } = found;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  issues.push({ path: field, message: `expected text at ${JSON.stringify(found.from)}, got ${Array.isArray(value) ? 'an array' : 'an object'}` });
  return undefined;
}

function asTime(field: string, found: Found | undefined, issues: FieldIssue[]): string | undefined {
  if (found === undefined) return undefined;
  const iso = toIsoTime(found.value);
  if (iso === undefined) issues.push({ path: field, message: `${JSON.stringify(found.value)} at ${JSON.stringify(found.from)} is not a time (ISO 8601, a date or epoch seconds/ms)` });
  return iso;
}

function asTags(found: Found | undefined, issues: FieldIssue[]): string[] | undefined {
  if (found === undefined) return undefined;
  const { value } = found;
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (list === null || !list.every((tag) => typeof tag === 'string' || typeof tag === 'number')) {
    issues.push({ path: 'tags', message: `expected an array of strings or a comma-separated string at ${JSON.stringify(found.from)}` });
    return undefined;
  }
  return [...new Set(list.map((tag) => String(tag).trim()).filter(Boolean))];
}

/** Drops undefined values, so drafts carry only what the item had. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
