// What the PostgreSQL adapters do without a server: nothing at import or creation, clear errors.
import { isTributaryError } from '@tributary/core/errors';
import { describe, expect, it } from 'vitest';
import { createPostgres, createPostgresQueue, createPostgresStorage } from '../src/postgres/index.js';
import { loadPg } from '../src/postgres/executor.js';

describe('postgres adapters without a server', () => {
  it('creating them connects to nothing and loads no client', async () => {
    // Port 1 refuses connections; creating and disposing must not notice.
    const storage = createPostgresStorage({ connectionString: 'postgres://127.0.0.1:1/none' });
    const queue = createPostgresQueue({ connectionString: 'postgres://127.0.0.1:1/none' });
    const both = createPostgres({ connectionString: 'postgres://127.0.0.1:1/none' });
    expect(storage.name).toBe('postgres');
    expect(storage.capabilities).toEqual({ durable: true, rollups: true, atomicBatches: true });
    expect(queue.capabilities).toMatchObject({ durable: true, nativeDelay: true, deduplicatesById: true });
    await Promise.all([storage.dispose(), queue.dispose(), both.storage.dispose(), both.queue.dispose()]);
  });

  it('an unusable schema name is a config error at creation', () => {
    for (const schema of ['Bad', 'a-b', 'x; DROP TABLE y', '', '1abc']) {
      let error: unknown;
      try {
        createPostgresStorage({ schema });
      } catch (e) {
        error = e;
      }
      expect(isTributaryError(error, 'config'), schema).toBe(true);
    }
  });

  it('a missing pg package is a missing_dependency error naming it', async () => {
    const notFound = Object.assign(new Error("Cannot find package 'pg'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await loadPg(() => Promise.reject(notFound)).catch((e: unknown) => e);
    expect(isTributaryError(error, 'missing_dependency')).toBe(true);
    expect((error as Error).message).toMatch(/\[postgres\].*"pg".*npm install pg/);
    // Any other failure while loading is not disguised as a missing package.
    const broken = new TypeError('boom');
    await expect(loadPg(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});
