// What the PostgreSQL adapters do without a server: nothing at import or creation, clear errors.
import { isTributaryError } from '@tributary/core/errors';
import { describe, expect, it } from 'vitest';
import { createPostgres, createPostgresQueue, createPostgresStorage } from '../src/postgres/index.js';
import { loadPg } from '../src/postgres/executor.js';
import { BinaryCopyWriter, pgTimestamp } from '../src/_sql/copy.js';

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

describe('COPY binary encoding', () => {
  it('writes the signature, a length before each field, -1 for null, and the trailer', () => {
    const writer = new BinaryCopyWriter(3, 8);
    writer.row(['ä', null, { micros: 1 }]);
    const out = writer.finish();
    expect(out.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    const body = out.subarray(19);
    expect(body.readInt16BE(0)).toBe(3);
    expect(body.readInt32BE(2)).toBe(2); // 'ä' is two bytes in UTF-8
    expect(body.subarray(6, 8).toString('utf8')).toBe('ä');
    expect(body.readInt32BE(8)).toBe(-1);
    expect(body.readInt32BE(12)).toBe(8);
    expect(body.readBigInt64BE(16)).toBe(1n);
    expect(body.readInt16BE(24)).toBe(-1);
    expect(body.length).toBe(26);
    expect(() => writer.row(['too few'])).toThrow(/expected 3/);
  });

  it('converts ISO instants to PostgreSQL microseconds exactly, and declines what it cannot be sure of', () => {
    expect(pgTimestamp('2000-01-01T00:00:00Z')).toEqual({ micros: 0 });
    expect(pgTimestamp('2000-01-01T00:00:00.000001Z')).toEqual({ micros: 1 });
    expect(pgTimestamp('2000-01-01T01:00:00+01:00')).toEqual({ micros: 0 });
    expect(pgTimestamp('1999-12-31T23:59:59.5-00:30')).toEqual({ micros: 1_799_500_000 });
    expect(pgTimestamp('2026-07-03T03:32:35.523Z')?.micros).toBe((Date.parse('2026-07-03T03:32:35.523Z') - Date.UTC(2000, 0, 1)) * 1000);
    // Left to the server: rounding of a 7th digit, impossible dates, other spellings.
    for (const text of ['2026-01-01T00:00:00.1234567Z', '2026-02-30T00:00:00Z', '2026-01-01 00:00:00Z', '2026-01-01T24:00:00Z', '1850-01-01T00:00:00Z']) {
      expect(pgTimestamp(text), text).toBeNull();
    }
  });
});
