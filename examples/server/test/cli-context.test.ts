import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliConfig, refuseIfServed } from '../src/cli/context.js';

// A stand-in for a running server: answers /readyz with the engines it runs.
let storage = '';
let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ready', engines: { storage, queue: storage } })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('cli on the embedded engine', () => {
  it('refuses to open a data directory a running server uses', async () => {
    const config = cliConfig({ PORT: String(port), TRIBUTARY_DATA_DIR: '/tmp/tributary-owned' });
    storage = `pglite ${join(resolve('/tmp/tributary-owned'), 'pglite')}`;
    await expect(refuseIfServed(config)).rejects.toThrow(`the server at http://127.0.0.1:${port} is running on /tmp/tributary-owned: stop it first`);
  });

  it('goes ahead when the server there runs on another directory, when none answers, and off PGlite', async () => {
    storage = 'pglite /elsewhere/pglite';
    await expect(refuseIfServed(cliConfig({ PORT: String(port), TRIBUTARY_DATA_DIR: '/tmp/tributary-free' }))).resolves.toBeUndefined();
    await expect(refuseIfServed(cliConfig({ PORT: '9', TRIBUTARY_DATA_DIR: '/tmp/tributary-free' }))).resolves.toBeUndefined();
    storage = `pglite ${join(resolve('/tmp/tributary-owned'), 'pglite')}`;
    await expect(refuseIfServed(cliConfig({ PORT: String(port), TRIBUTARY_DATA_DIR: '/tmp/tributary-owned', TRIBUTARY_EMBEDDED: 'memory' }))).resolves.toBeUndefined();
  });

  it('reports a bad environment variable as a usage error', () => {
    expect(() => cliConfig({ PORT: 'eighty' })).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/invalid environment variable PORT/) }));
  });
});
