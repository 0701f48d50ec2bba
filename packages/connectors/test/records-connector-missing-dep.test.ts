// Without ioredis installed, pulling from Redis fails with a clear missing-dependency error, while
// importing the connector (and taking pushes) needs nothing.
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '@tributary/core/clock';
import { isTributaryError } from '@tributary/core/errors';

vi.mock('ioredis', () => {
  throw new Error("Cannot find package 'ioredis'");
});

describe('records connector without ioredis', () => {
  it('imports, and names the package to install when a source pulls from Redis', async () => {
    const { recordsConnector, RecordsConfigSchema } = await import('@tributary/connectors/records');
    const config = RecordsConfigSchema.parse({ redis: { url: 'redis://127.0.0.1:6379', key: 'records', mode: 'list' } });
    const pages = recordsConnector.fetch!({ workspaceId: 'ws', sourceId: 'src', config, credentials: undefined, checkpoint: null, fetch, signal: new AbortController().signal, clock: systemClock });
    const error = await pages[Symbol.asyncIterator]().next().then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(error, 'missing_dependency')).toBe(true);
    expect((error as Error).message).toContain('npm install ioredis');
  });
});
