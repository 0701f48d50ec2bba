import { serve, type ServerType } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tributary/core/crypto';
import { loadConfig } from '../src/config.js';
import { prepareDemo, type Demo, type DemoHandle, type DemoOptions } from '../src/demo/index.js';
import { createLogger } from '../src/logger.js';
import { createServer, type TributaryServer } from '../src/server.js';

/** A server listening on loopback with the demo attached, as `pnpm start` runs it (engines chosen by `env`). */
export interface DemoServer {
  server: TributaryServer;
  handle: DemoHandle;
  demo: Demo;
  baseUrl: string;
  adminToken: string;
  dataDir: string;
  logs: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get<T = any>(path: string, token?: string): Promise<{ status: number; body: T }>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  post<T = any>(path: string, token?: string): Promise<{ status: number; body: T }>;
  /** Polls until `check` returns a value (not undefined/false) or the time is up. */
  until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startDemoServer(options: { env?: Record<string, string>; demo?: DemoOptions; dataDir?: string } = {}): Promise<DemoServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-demo-'));
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(line) } });
  const config = loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_RATE_LIMIT: '0', ...options.env });
  const adminToken = `demo-admin-token-${Math.random().toString(36).slice(2)}`;
  const server = await createServer({ config, logger, secrets: { adminToken, secretKey: generateKey() }, authCacheTtlMs: 0 });
  await server.start();
  const handle = await prepareDemo({ dataDir, ...options.demo });
  for (const host of handle.allowHosts) server.net.allowHost(host);
  const http: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const demo = await handle.attach({ app: server.app, adminToken, log: logger }, baseUrl);

  const request = async (method: string, path: string, token = demo.apiKey) => {
    const res = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    server,
    handle,
    demo,
    baseUrl,
    adminToken,
    dataDir,
    logs,
    get: (path, token) => request('GET', path, token),
    post: (path, token) => request('POST', path, token),
    async until(what, check, timeoutMs = 25_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined && value !== false) return value as never;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async close() {
      await handle.stop();
      (http as Server).closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await server.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
