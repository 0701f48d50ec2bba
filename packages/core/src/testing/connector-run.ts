import { expect } from 'vitest';
import { systemClock } from '../clock/index.js';
import type { Connector, FetchPage, RawItem, WebhookRequest } from '../connector/index.js';
import { buildRecord } from '../record/build.js';
import { RecordDraftSchema, type RecordDraft } from '../record/schema.js';

/** Where every draft the connector kit builds claims to live. */
export const KIT_ORIGIN = { workspaceId: 'ws_kit', sourceId: 'src_kit' } as const;

/** A fetch that runs away (a cursor that never ends) fails instead of hanging the suite. */
const MAX_PAGES = 10_000;

/** The outcome of one fetch run. */
export interface FetchRun<P> {
  pages: FetchPage<P>[];
  items: RawItem[];
  /** What the run threw, if it did. */
  error?: unknown;
}

/** Runs a connector's fetch to its end (or its first error), as the runtime would but with the global fetch. */
export async function runFetch<C, K, P>(
  connector: Connector<C, K, P>,
  settings: { config: C; credentials: K; checkpoint: P | null; signal: AbortSignal },
  onPage?: (page: FetchPage<P>, index: number) => void,
): Promise<FetchRun<P>> {
  const run: FetchRun<P> = { pages: [], items: [] };
  try {
    const pages = connector.fetch!({
      ...KIT_ORIGIN,
      config: settings.config,
      credentials: settings.credentials,
      checkpoint: settings.checkpoint,
      // Looked up per call, so HTTP mocks installed on the global fetch (msw) see every request.
      fetch: (input, init) => globalThis.fetch(input, init),
      signal: settings.signal,
      clock: systemClock,
    });
    for await (const page of pages) {
      run.pages.push(page);
      run.items.push(...page.items);
      if (run.pages.length > MAX_PAGES) throw new Error(`[tributary] [testing] fetch yielded more than ${MAX_PAGES} pages; does its cursor advance?`);
      onPage?.(page, run.pages.length - 1);
    }
  } catch (error) {
    run.error = error;
  }
  return run;
}

/** Checks the shape every raw item must have, naming the offending item. */
export function expectRawItems(items: RawItem[], where: string): void {
  items.forEach((item, i) => {
    expect(typeof item.externalId === 'string' && item.externalId.length > 0, `${where} item ${i}: externalId is a non-empty string`).toBe(true);
    expect(typeof item.itemType === 'string' && item.itemType.length > 0, `${where} item ${i}: itemType is a non-empty string`).toBe(true);
    expect(() => JSON.stringify(item.payload), `${where} item ${i}: payload is JSON`).not.toThrow();
  });
}

/** Parses a raw item and checks every draft against the schema and `buildRecord`. */
export async function parseValid<C, K, P>(connector: Connector<C, K, P>, item: RawItem, config: C, where: string): Promise<RecordDraft[]> {
  const drafts = await connector.parse!(item, { ...KIT_ORIGIN, config });
  expect(Array.isArray(drafts), `${where}: parse returns an array`).toBe(true);
  for (const [i, draft] of drafts.entries()) {
    const parsed = RecordDraftSchema.safeParse(draft);
    const issues = parsed.success ? '' : parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ');
    expect(parsed.success, `${where} draft ${i} fails RecordDraftSchema: ${issues}`).toBe(true);
    expect(() => buildRecord(draft, { ...KIT_ORIGIN, connector: { name: connector.name, version: connector.version } }), `${where} draft ${i}: buildRecord`).not.toThrow();
  }
  return drafts;
}

/** The body a webhook runtime hands to `parse`: JSON when it is JSON, form fields for forms, else text. */
export function decodeWebhookBody(request: WebhookRequest): unknown {
  const text = new TextDecoder().decode(request.rawBody);
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Freezes a value and everything in it, so a parse that mutates its input throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
