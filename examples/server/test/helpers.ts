import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tributary/core/crypto';
import type { FetchFunction } from '@tributary/core/connector';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServer, type ServerOptions, type TributaryServer } from '../src/server.js';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** A delivery a fake receiver got. */
export interface Received {
  url: string;
  headers: Headers;
  body: any;
}

export interface TestServer {
  server: TributaryServer;
  adminToken: string;
  secretKey: string;
  /** Every log line written, as text. */
  logs: string[];
  /** Requests the fake outside world received (targets, connectors). */
  received: Received[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>;
  /** Creates a workspace and returns its id and key. */
  workspace(name?: string): Promise<{ id: string; apiKey: string }>;
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Answers of the fake outside world, by URL; 200 `{}` when it returns undefined. */
  respond?: (url: string, init: RequestInit | undefined) => Response | undefined | Promise<Response | undefined>;
  server?: Partial<Omit<ServerOptions, 'config' | 'logger' | 'secrets' | 'fetch'>>;
  /** Keep the data directory (for restarts). */
  dataDir?: string;
}

/** Starts a server on in-memory engines (unless the env says otherwise), driven through `app.fetch`. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-api-'));
  const logs: string[] = [];
  const received: Received[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const config = loadConfig({ TRIBUTARY_EMBEDDED: 'memory', TRIBUTARY_DATA_DIR: dataDir, TRIBUTARY_RATE_LIMIT: '0', ...options.env });
  const adminToken = `test-admin-token-${Math.random().toString(36).slice(2)}`;
  const secretKey = generateKey();
  const fetch: FetchFunction = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const text = typeof init?.body === 'string' ? init.body : '';
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    received.push({ url, headers: new Headers(init?.headers), body });
    return (await options.respond?.(url, init)) ?? new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const server = await createServer({ config, logger, secrets: { adminToken, secretKey }, fetch, authCacheTtlMs: 0, ...options.server });
  await server.start();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async <T = any>(method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> => {
    const headers = new Headers(o.headers);
    if (o.token) headers.set('authorization', `Bearer ${o.token}`);
    let body: BodyInit | undefined = o.raw as BodyInit | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    const res = await server.app.fetch(new Request(`http://tributary.test${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };

  return {
    server,
    adminToken,
    secretKey,
    logs,
    received,
    call,
    async workspace(name = 'acme') {
      const res = await call<{ id: string; apiKey: string }>('POST', '/v1/workspaces', { token: adminToken, body: { name } });
      if (res.status !== 201) throw new Error(`workspace not created: ${res.status} ${res.text}`);
      return { id: res.body.id, apiKey: res.body.apiKey };
    },
    drain: () => server.pipeline.drain({ timeoutMs: 20_000 }),
    async close() {
      await server.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Discourse post as its webhook sends it. */
export function discoursePost(id: number, text: string, createdAt = '2026-01-05T10:00:00.000Z') {
  return {
    post: {
      id,
      username: 'ada',
      name: 'Ada',
      created_at: createdAt,
      updated_at: createdAt,
      cooked: `<p>${text}</p>`,
      raw: text,
      post_number: 1,
      topic_id: 8,
      topic_slug: 'welcome',
      topic_title: 'Welcome',
      user_id: 20,
      topic_archetype: 'regular',
    },
  };
}
