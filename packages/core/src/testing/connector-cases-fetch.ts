import { expect } from 'vitest';
import type { ConnectorCase, ConnectorKitContext, ConnectorKitOptions } from './connector-kit.js';
import { expectRawItems, parseValid, runFetch, type FetchRun } from './connector-run.js';

function fetchMissing<C, K, P>(o: ConnectorKitOptions<C, K, P>): string | undefined {
  if (!o.connector.fetch && !o.fetch) return 'the connector has no fetch';
  if (!o.fetch) return 'no fetch fixtures given (options.fetch)';
  return undefined;
}

/** Installs the fixtures and runs fetch from no checkpoint, failing on any error. */
async function fullRun<C, K, P>(k: ConnectorKitContext<C, K, P>): Promise<FetchRun<P>> {
  expect(k.connector.fetch, 'options.fetch given, so the connector must fetch').toBeTypeOf('function');
  await k.options.fetch!.setup?.();
  const run = await runFetch(k.connector, { config: k.config(), credentials: k.credentials(), checkpoint: null, signal: new AbortController().signal });
  if (run.error !== undefined) throw run.error;
  return run;
}

/** Pulling pages: items, checkpoints, resuming and aborting. */
export const connectorFetchCases: Record<string, ConnectorCase> = {
  'fetch runs to completion with valid items and checkpoints': {
    notApplicable: fetchMissing,
    async run(k) {
      const run = await fullRun(k);
      expectRawItems(run.items, 'fetched');
      for (const [i, page] of run.pages.entries()) {
        expect(Array.isArray(page.items), `page ${i}: items is an array`).toBe(true);
        // The runtime stores checkpoints as JSON; what does not survive that is lost between runs.
        expect(JSON.parse(JSON.stringify(page.checkpoint ?? null)), `page ${i}: checkpoint survives JSON`).toEqual(page.checkpoint ?? null);
        if (k.connector.checkpointSchema) {
          const parsed = k.connector.checkpointSchema.safeParse(page.checkpoint);
          expect(parsed.success, `page ${i}: checkpoint fails checkpointSchema: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
        }
      }
      const distinct = new Set(run.items.map((item) => item.externalId));
      const expected = k.options.fetch!.expectItems;
      if (expected !== undefined) expect(distinct.size, 'distinct items of a full run').toBe(expected);
      else expect(run.pages.length, 'a full run yields at least one page').toBeGreaterThan(0);
    },
  },

  'fetched items parse into valid record drafts': {
    notApplicable: (o) => fetchMissing(o) ?? (o.connector.parse ? undefined : 'the connector has no parse'),
    async run(k) {
      const run = await fullRun(k);
      for (const [i, item] of run.items.entries()) await parseValid(k.connector, item, k.config(), `fetched item ${i} (${item.externalId})`);
    },
  },

  'a run resuming from the last checkpoint yields nothing new': {
    notApplicable: fetchMissing,
    async run(k) {
      const first = await fullRun(k);
      const seen = new Set(first.items.map((item) => item.externalId));
      const last = first.pages.at(-1)?.checkpoint;
      await k.options.fetch!.setup?.();
      const resumed = await runFetch(k.connector, {
        config: k.config(),
        credentials: k.credentials(),
        // Round-tripped through JSON, as storage hands it back.
        checkpoint: last === undefined ? null : JSON.parse(JSON.stringify(last)),
        signal: new AbortController().signal,
      });
      if (resumed.error !== undefined) throw resumed.error;
      expectRawItems(resumed.items, 'resumed');
      // A lookback overlap may repeat items (dedup collapses them); nothing unseen may appear.
      const fresh = [...new Set(resumed.items.map((item) => item.externalId))].filter((id) => !seen.has(id));
      expect(fresh, 'externalIds a resumed run yields that the full run did not').toEqual([]);
    },
  },

  'fetch stops when its signal aborts': {
    notApplicable: fetchMissing,
    async run(k) {
      const full = await fullRun(k);
      await k.options.fetch!.setup?.();
      const aborted = new AbortController();
      aborted.abort(new Error('kit: aborted before the run'));
      const early = await runFetch(k.connector, { config: k.config(), credentials: k.credentials(), checkpoint: null, signal: aborted.signal });
      expect(early.error !== undefined || early.items.length === 0, 'an aborted run throws or yields nothing').toBe(true);

      if (full.pages.length < 2) return;
      // Aborting after the first page must stop the run before its end.
      await k.options.fetch!.setup?.();
      const midway = new AbortController();
      const partial = await runFetch(k.connector, { config: k.config(), credentials: k.credentials(), checkpoint: null, signal: midway.signal }, () =>
        midway.abort(new Error('kit: aborted midway')),
      );
      expect(partial.error !== undefined || partial.pages.length < full.pages.length, 'a run aborted after its first page does not run to the end').toBe(true);
    },
  },
};
