// Versioning: after a minor release changes what parse makes of a payload, the stored raw payloads
// are parsed again and the records get a new revision; after a patch, nothing is re-parsed.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RawItem } from '@tributary/core/connector';
import { createPipeline, type Pipeline } from '@tributary/core/pipeline';
import { createMemoryQueue } from '@tributary/core/queue/memory';
import { recordId } from '@tributary/core/record';
import { createMemoryStorage } from '@tributary/core/storage/memory';
import { jsonFeedConnector, needsReparse, parseJsonFeedItem, reparseSource } from '../src/index.js';
import { FEED_URL, feedItem, feedPages } from './fixtures/feed.js';

const server = setupServer(http.get(FEED_URL, () => HttpResponse.json(feedPages([feedItem(1), feedItem(2), feedItem(3)], 10)[0])));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
const pipelines: Pipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
});

/** Version 1.1.0: parse now tags every record with the feed's language (a change to the drafts). */
const minorRelease = {
  ...jsonFeedConnector,
  version: '1.1.0',
  parse: (item: RawItem) => parseJsonFeedItem(item).map((draft) => ({ ...draft, tags: [...(draft.tags ?? []), `lang:${draft.language ?? 'und'}`] })),
};

describe('re-parsing after a connector upgrade', () => {
  it('decides by major and minor, not patch', () => {
    expect(needsReparse('1.0.0', '1.0.7')).toBe(false);
    expect(needsReparse('1.0.3', '1.1.0')).toBe(true);
    expect(needsReparse('1.4.0', '2.0.0')).toBe(true);
  });

  it('gives stored records a new revision from their raw payloads, keeping the old one in the history', async () => {
    const storage = createMemoryStorage();
    const v1 = createPipeline({ storage, queue: createMemoryQueue(), connectors: [jsonFeedConnector] });
    pipelines.push(v1);
    const source = await v1.sources.create('ws1', { name: 'Community feedback', connector: 'json-feed', config: { feedUrl: FEED_URL } });
    await v1.start();
    await v1.trigger('ws1', source.id);
    await v1.drain();
    await v1.stop();

    // A patch release re-parses nothing.
    const patch = createPipeline({ storage, queue: createMemoryQueue(), connectors: [{ ...jsonFeedConnector, version: '1.0.1' }] });
    expect(await reparseSource(patch, 'ws1', source.id, 'json-feed')).toEqual({ reparsed: 0, skipped: 3 });

    // The minor release re-parses every item.
    const v2 = createPipeline({ storage, queue: createMemoryQueue(), connectors: [minorRelease] });
    pipelines.push(v2);
    await v2.start();
    expect(await reparseSource(v2, 'ws1', source.id, 'json-feed')).toEqual({ reparsed: 3, skipped: 0 });
    await v2.drain();

    const id = recordId('ws1', source.id, 'https://community.example.org/t/1001');
    const record = await storage.getRecord('ws1', id);
    expect(record).toMatchObject({ revision: 2, tags: ['feedback', 'lang:en'], provenance: { connector: { name: 'json-feed', version: '1.1.0' } } });
    const history = await storage.getRecordHistory('ws1', id);
    expect(history.map((r) => [r.revision, r.tags, r.provenance.connector.version])).toEqual([[1, ['feedback'], '1.0.0']]);

    // Done once: the payloads now stored were parsed by 1.1.0.
    expect((await reparseSource(v2, 'ws1', source.id, 'json-feed')).reparsed).toBe(0);
  });
});
